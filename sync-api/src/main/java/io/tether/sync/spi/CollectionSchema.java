package io.tether.sync.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A collection: its name ({@code [a-z][a-z0-9_]{0,62}}), id field, optional scope field and fields. The id and
 * scope fields are listed in {@link #fields()} too.
 *
 * <pre>{@code
 * CollectionSchema tasks = CollectionSchema.builder("tasks").scopeField("owner_id")
 *         .field("title", FieldType.STRING, false)
 *         .field("done", FieldType.BOOLEAN, false)
 *         .build();
 * }</pre>
 */
public record CollectionSchema(String name, String idField, String scopeField, List<FieldSchema> fields) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public CollectionSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(idField, "idField");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("collection name '" + name + "' must match [a-z][a-z0-9_]{0,62}");
        }
        fields = List.copyOf(fields);
        List<FieldSchema> all = fields;
        if (all.stream().noneMatch(f -> f.name().equals(idField))) {
            throw new IllegalArgumentException("collection '" + name + "' lists no id field '" + idField + "'");
        }
        if (scopeField != null && all.stream().noneMatch(f -> f.name().equals(scopeField))) {
            throw new IllegalArgumentException("collection '" + name + "' lists no scope field '" + scopeField + "'");
        }
    }

    /** Whether a collection name is well formed. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public Optional<FieldSchema> field(String fieldName) {
        for (FieldSchema f : fields) {
            if (f.name().equals(fieldName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** A builder with id field {@code id} (a non-null string) unless {@link Builder#idField} says otherwise. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link CollectionSchema}; the id and scope fields are added as non-null strings if not declared. */
    public static final class Builder {
        private final String name;
        private String idField = "id";
        private String scopeField;
        private final List<FieldSchema> fields = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder idField(String idField) {
            this.idField = idField;
            return this;
        }

        public Builder scopeField(String scopeField) {
            this.scopeField = scopeField;
            return this;
        }

        public Builder field(String fieldName, FieldType type, boolean nullable) {
            fields.add(new FieldSchema(fieldName, type, nullable));
            return this;
        }

        public CollectionSchema build() {
            List<FieldSchema> all = new ArrayList<>();
            if (fields.stream().noneMatch(f -> f.name().equals(idField))) {
                all.add(new FieldSchema(idField, FieldType.STRING, false));
            }
            if (scopeField != null && fields.stream().noneMatch(f -> f.name().equals(scopeField))) {
                all.add(new FieldSchema(scopeField, FieldType.STRING, true));
            }
            all.addAll(fields);
            return new CollectionSchema(name, idField, scopeField, all);
        }
    }
}
