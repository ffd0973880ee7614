package io.tether.sync.jpa.internal;

import io.tether.sync.spi.FieldType;

/**
 * One synced attribute of an entity.
 *
 * @param name        the record field name: the attribute's column name
 * @param attribute   the attribute name
 * @param index       the attribute's position in Hibernate's state arrays
 * @param javaType    the attribute's Java type (for a to-one: the referenced entity's id type)
 * @param type        the schema type
 * @param nullable    whether the column accepts null
 * @param target      for a many-to-one: the referenced entity name; otherwise null
 */
record SyncedField(String name, String attribute, int index, Class<?> javaType, FieldType type, boolean nullable,
                   String target) {
    boolean isReference() {
        return target != null;
    }
}
