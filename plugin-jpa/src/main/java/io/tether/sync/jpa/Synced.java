package io.tether.sync.jpa;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an entity whose committed writes Tether captures and syncs. The entity becomes a collection whose
 * record fields are the entity's column names ({@code project_id} for a many-to-one {@code project}, which
 * travels as the referenced id). Its identifier must be assignable (an application-assigned id or a generator
 * that allows assigned ids, such as {@code @UuidGenerator}), because remote records arrive with their ids.
 *
 * <pre>{@code
 * @Entity
 * @Synced(collection = "tasks", scope = "owner_id")
 * class Task { @Id String id; String title; boolean done; String owner_id; }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Synced {
    /** The collection name ({@code [a-z][a-z0-9_]{0,62}}). Default: the table name in lower case. */
    String collection() default "";

    /**
     * The scope field: a column name (or attribute name) whose value is the record's scope. Default: none, every
     * record is in the scope {@code ""}.
     */
    String scope() default "";
}
