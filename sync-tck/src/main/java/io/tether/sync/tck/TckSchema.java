package io.tether.sync.tck;

import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collections every kit uses: {@code tasks}, scoped by {@code owner_id}, and {@code notes}, unscoped. A store
 * that needs its schema up front (an ORM's metamodel) maps these two.
 */
public final class TckSchema {
    /** {@code tasks}: id, owner_id (scope), title (string), done (boolean), n (integer, nullable). */
    public static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, false)
            .field("n", FieldType.INTEGER, true)
            .build();

    /** {@code notes}: id, text (string, nullable); every note is in the shared scope. */
    public static final CollectionSchema NOTES = CollectionSchema.builder("notes")
            .field("text", FieldType.STRING, true)
            .build();

    /** Both collections, schema version 1. */
    public static final Schema SCHEMA = new Schema(1, List.of(TASKS, NOTES));

    private TckSchema() {
    }

    /** A task record. */
    public static Map<String, Object> task(String id, String owner, String title, boolean done, Long n) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("owner_id", owner);
        data.put("title", title);
        data.put("done", done);
        data.put("n", n);
        return data;
    }

    /** A task of {@code owner} titled {@code title}, not done, n = null. */
    public static Map<String, Object> task(String id, String owner, String title) {
        return task(id, owner, title, false, null);
    }

    /** A note record. */
    public static Map<String, Object> note(String id, String text) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("text", text);
        return data;
    }
}
