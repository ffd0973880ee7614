package io.tether.sync.jpa.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.Values;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.WriteRefusedException;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.proxy.HibernateProxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A synced entity type as a collection: how its state arrays become records and records become entity state.
 * Immutable and thread-safe.
 */
public final class SyncedEntity {
    private final String collection;
    private final EntityPersister persister;
    private final String idField;
    private final Class<?> idType;
    private final String scopeField;
    private final List<SyncedField> fields;
    private final boolean viaEntityListener;
    private final Set<String> fieldNames;
    private final List<SyncedField> references;

    SyncedEntity(String collection, EntityPersister persister, String idField, Class<?> idType, String scopeField,
                 List<SyncedField> fields, boolean viaEntityListener) {
        this.collection = collection;
        this.persister = persister;
        this.idField = idField;
        this.idType = idType;
        this.scopeField = scopeField;
        this.fields = List.copyOf(fields);
        this.viaEntityListener = viaEntityListener;
        Set<String> names = new LinkedHashSet<>();
        names.add(idField);
        fields.forEach(f -> names.add(f.name()));
        this.fieldNames = Set.copyOf(names);
        this.references = this.fields.stream().filter(SyncedField::isReference).toList();
    }

    public String collection() {
        return collection;
    }

    public EntityPersister persister() {
        return persister;
    }

    public Class<?> entityClass() {
        return persister.getMappedClass();
    }

    /** The id field's name. */
    public String idField() {
        return idField;
    }

    /** The scope field's name, or null. */
    public String scopeField() {
        return scopeField;
    }

    boolean viaEntityListener() {
        return viaEntityListener;
    }

    /** The many-to-one fields: each names the entity it references. */
    List<SyncedField> references() {
        return references;
    }

    /** The Java type of a record field other than the id, or null when the entity has no such field. */
    Class<?> javaTypeOf(String name) {
        for (SyncedField f : fields) {
            if (f.name().equals(name)) {
                return f.javaType();
            }
        }
        return null;
    }

    /** Every record field, the id field included. */
    public Set<String> fieldNames() {
        return fieldNames;
    }

    /** The record id of an entity id. */
    public String recordId(Object id) {
        return String.valueOf(JsonValues.toJson(id));
    }

    /** The Java type of the entity's id. */
    public Class<?> idType() {
        return idType;
    }

    /** The entity id of a record id; throws {@link IllegalArgumentException} for an id of the wrong form. */
    public Object entityId(String recordId) {
        return JsonValues.fromJson(recordId, idType);
    }

    /** The record of an entity state array. */
    public Map<String, Object> record(Object id, Object[] state, SharedSessionContractImplementor session) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(idField, recordId(id));
        for (SyncedField f : fields) {
            Object value = state[f.index()];
            Object json;
            if (f.isReference()) {
                json = value == null ? null : JsonValues.toJson(referencedId(f, value, session));
            } else {
                json = JsonValues.toJson(value);
            }
            if (f.name().equals(scopeField) && json != null && !(json instanceof String)) {
                json = String.valueOf(json);
            }
            data.put(f.name(), json);
        }
        return Values.copy(data); // canonical and frozen once: the SPI records built from it copy nothing
    }

    /** The record of a managed or detached entity instance. */
    public Map<String, Object> record(Object entity, SharedSessionContractImplementor session) {
        Object id = persister.getIdentifier(entity, session);
        return record(id, persister.getPropertyValues(entity), session);
    }

    /** The scope of a record: its scope field's value, or {@code ""} without one. */
    public String scopeOf(Map<String, Object> data) {
        if (scopeField == null || data == null) {
            return "";
        }
        Object v = data.get(scopeField);
        return v == null ? "" : String.valueOf(v);
    }

    /** The record fields that changed among the given dirty attribute positions. */
    public Set<String> changedFields(int[] dirty) {
        Set<String> out = new LinkedHashSet<>();
        for (int index : dirty) {
            for (SyncedField f : fields) {
                if (f.index() == index) {
                    out.add(f.name());
                }
            }
        }
        return out;
    }

    /**
     * Writes the fields present in {@code data} onto an entity instance; a value the attribute cannot hold (beyond its
     * range, of the wrong form) refuses the write ({@link WriteRefusedException}).
     */
    public void apply(Object entity, Map<String, Object> data, SessionImplementor session) {
        for (SyncedField f : fields) {
            if (!data.containsKey(f.name())) {
                continue;
            }
            Object json = data.get(f.name());
            Object value;
            try {
                if (f.isReference()) {
                    value = json == null ? null : session.getReference(f.target(), JsonValues.fromJson(json, f.javaType()));
                } else {
                    value = JsonValues.fromJson(json, f.javaType());
                }
            } catch (RuntimeException e) {
                throw new WriteRefusedException("field '" + f.name() + "' of collection '" + collection + "': "
                        + e.getMessage(), e);
            }
            persister.setValue(entity, f.index(), value);
        }
    }

    private Object referencedId(SyncedField f, Object value, SharedSessionContractImplementor session) {
        if (value instanceof HibernateProxy proxy) {
            return proxy.getHibernateLazyInitializer().getInternalIdentifier();
        }
        return session.getFactory().getMappingMetamodel().getEntityDescriptor(f.target()).getIdentifier(value, session);
    }

    /** The collection's schema. */
    public CollectionSchema schema() {
        List<FieldSchema> all = new ArrayList<>();
        all.add(new FieldSchema(idField, FieldType.STRING, false));
        for (SyncedField f : fields) {
            FieldType type = f.name().equals(scopeField) ? FieldType.STRING : f.type();
            all.add(new FieldSchema(f.name(), type, f.nullable()));
        }
        try {
            return new CollectionSchema(collection, idField, scopeField, all);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("Entity " + persister.getEntityName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SyncedEntity[" + collection + " <- " + persister.getEntityName() + "]";
    }
}
