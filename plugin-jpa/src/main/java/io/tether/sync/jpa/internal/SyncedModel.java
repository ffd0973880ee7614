package io.tether.sync.jpa.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.jpa.NotSynced;
import io.tether.sync.jpa.SyncEntityListener;
import io.tether.sync.jpa.Synced;
import io.tether.sync.spi.CollectionSchema;
import jakarta.persistence.EntityListeners;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.generator.Assigned;
import org.hibernate.generator.Generator;
import org.hibernate.persister.entity.AbstractEntityPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.EntityType;
import org.hibernate.type.Type;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The synced entities of one SessionFactory, read from its runtime metamodel once the factory exists.
 * Immutable and thread-safe.
 */
public final class SyncedModel {
    private final Map<String, SyncedEntity> byEntityName;
    private final Map<String, SyncedEntity> byCollection;
    private final List<SyncedEntity> referencingFirst;
    private final Map<SyncedEntity, List<Reference>> referencedBy;
    /** Every entity's foreign keys to a synced entity's rows, synced or not ({@link #holdersOf}). */
    private final Map<SyncedEntity, List<Holder>> heldBy;

    private SyncedModel(Map<String, SyncedEntity> byEntityName, Map<String, Set<Holder>> holdersByTarget) {
        this.byEntityName = Map.copyOf(byEntityName);
        Map<SyncedEntity, List<Holder>> held = new HashMap<>();
        holdersByTarget.forEach((target, holders) -> held.put(byEntityName.get(target), List.copyOf(holders)));
        this.heldBy = held;
        Map<String, SyncedEntity> collections = new LinkedHashMap<>();
        byEntityName.values().forEach(e -> {
            SyncedEntity clash = collections.put(e.collection(), e);
            if (clash != null) {
                throw new ConfigurationException("Entities " + clash.persister().getEntityName() + " and "
                        + e.persister().getEntityName() + " both sync as collection '" + e.collection()
                        + "'. Give one of them another name with @Synced(collection = ...).");
            }
        });
        this.byCollection = collections;
        Map<SyncedEntity, List<Reference>> incoming = new HashMap<>();
        for (SyncedEntity e : collections.values()) {
            for (SyncedField f : e.references()) {
                SyncedEntity target = this.byEntityName.get(f.target());
                if (target != null) {
                    incoming.computeIfAbsent(target, t -> new ArrayList<>()).add(new Reference(e, f.attribute()));
                }
            }
        }
        this.referencedBy = incoming;
        List<SyncedEntity> order = new ArrayList<>();
        Set<SyncedEntity> placed = new HashSet<>();
        collections.values().forEach(e -> placeReferencersFirst(e, placed, order));
        this.referencingFirst = List.copyOf(order);
    }

    /** Adds the entities that reference {@code e}, theirs before them (depth first), then {@code e}. */
    private void placeReferencersFirst(SyncedEntity e, Set<SyncedEntity> placed, List<SyncedEntity> order) {
        if (!placed.add(e)) {
            return; // placed already, or on a cycle of references that is being placed
        }
        referencesTo(e).forEach(r -> placeReferencersFirst(r.from(), placed, order));
        order.add(e);
    }

    /** A many-to-one attribute of a synced entity. */
    public record Reference(SyncedEntity from, String attribute) {
    }

    /** The synced entities' many-to-one attributes that reference {@code entity}. */
    public List<Reference> referencesTo(SyncedEntity entity) {
        return referencedBy.getOrDefault(entity, List.of());
    }

    /** An entity's many-to-one attribute, the entity synced or not. */
    public record Holder(String entityName, String attribute) {
    }

    /**
     * Every many-to-one attribute whose foreign key references {@code entity}'s rows: those of synced records, and
     * those of entities (or fields) that are not synced, which a removal of a record would break just the same.
     */
    public List<Holder> holdersOf(SyncedEntity entity) {
        return heldBy.getOrDefault(entity, List.of());
    }

    /** Reads the synced entities from a built SessionFactory's metamodel. */
    static SyncedModel read(SessionFactoryImplementor factory) {
        Map<String, SyncedEntity> entities = new LinkedHashMap<>();
        factory.getMappingMetamodel().forEachEntityDescriptor(persister -> {
            Class<?> type = persister.getMappedClass();
            if (type == null) {
                return;
            }
            Synced synced = type.getAnnotation(Synced.class);
            boolean viaListener = hasSyncListener(type);
            if (synced == null && !viaListener) {
                return;
            }
            entities.put(persister.getEntityName(), describe(persister, synced, viaListener));
        });
        Map<String, Set<Holder>> holders = new HashMap<>();
        factory.getMappingMetamodel().forEachEntityDescriptor(persister -> {
            if (!(persister instanceof AbstractEntityPersister columns)) {
                return;
            }
            Type[] types = persister.getPropertyTypes();
            for (int i = 0; i < types.length; i++) {
                String[] cols = columns.getPropertyColumnNames(i);
                if (types[i] instanceof EntityType ref && !ref.isCollectionType()
                        && entities.containsKey(ref.getAssociatedEntityName()) && cols != null && cols.length > 0) {
                    holders.computeIfAbsent(ref.getAssociatedEntityName(), t -> new LinkedHashSet<>())
                            .add(new Holder(persister.getEntityName(), persister.getPropertyNames()[i]));
                }
            }
        });
        return new SyncedModel(entities, holders);
    }

    /** The synced entity of a Hibernate entity name, or null when that entity is not synced. */
    public SyncedEntity forEntityName(String entityName) {
        return byEntityName.get(entityName);
    }

    /**
     * The synced records that {@code before} references by a many-to-one and {@code after} (null: the record is
     * deleted) no longer does.
     */
    public List<RecordKey> droppedReferences(SyncedEntity entity, Map<String, Object> before,
                                             Map<String, Object> after) {
        List<RecordKey> dropped = new ArrayList<>(0);
        for (SyncedField reference : entity.references()) {
            Object was = before.get(reference.name());
            SyncedEntity target = forEntityName(reference.target());
            if (was != null && target != null && (after == null || !was.equals(after.get(reference.name())))) {
                dropped.add(new RecordKey(target.collection(), String.valueOf(was)));
            }
        }
        return dropped;
    }

    /** The synced entity of a collection. */
    public Optional<SyncedEntity> forCollection(String collection) {
        return Optional.ofNullable(byCollection.get(collection));
    }

    /** The synced entity of a collection; throws naming the known collections when there is none. */
    public SyncedEntity require(String collection) {
        SyncedEntity e = byCollection.get(collection);
        if (e == null) {
            throw new IllegalArgumentException("No synced entity for collection '" + collection + "'. Known: "
                    + byCollection.keySet() + ". Mark the entity with @Synced.");
        }
        return e;
    }

    /** The synced entity of an entity class. */
    public SyncedEntity forClass(Class<?> entityClass) {
        for (SyncedEntity e : byEntityName.values()) {
            if (e.entityClass() == entityClass) {
                return e;
            }
        }
        throw new IllegalArgumentException(entityClass.getName() + " is not a synced entity; mark it with @Synced.");
    }

    public List<SyncedEntity> entities() {
        return List.copyOf(byCollection.values());
    }

    /**
     * The synced entities, each before those it references (many-to-one), so that removing records in this order
     * never removes a record before one that references it; entities in a cycle of references keep model order.
     */
    public List<SyncedEntity> referencingFirst() {
        return referencingFirst;
    }

    public List<CollectionSchema> schemas() {
        return byCollection.values().stream().map(SyncedEntity::schema).toList();
    }

    private static boolean hasSyncListener(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            EntityListeners listeners = c.getAnnotation(EntityListeners.class);
            if (listeners != null && Arrays.asList(listeners.value()).contains(SyncEntityListener.class)) {
                return true;
            }
        }
        return false;
    }

    private static SyncedEntity describe(EntityPersister persister, Synced synced, boolean viaListener) {
        String entity = persister.getEntityName();
        if (!(persister instanceof AbstractEntityPersister columns)) {
            throw new ConfigurationException("Entity " + entity + " uses an unsupported persister "
                    + persister.getClass().getName() + ".");
        }
        String table = columns.getTableName();
        String collection = synced != null && !synced.collection().isEmpty() ? synced.collection()
                : unquote(table.substring(table.lastIndexOf('.') + 1)).toLowerCase(Locale.ROOT);
        if (!CollectionSchema.isValidName(collection)) {
            throw new ConfigurationException("Entity " + entity + " would sync as collection '" + collection
                    + "', which does not match [a-z][a-z0-9_]{0,62}. Name it with @Synced(collection = ...).");
        }
        String[] idColumns = columns.getIdentifierColumnNames();
        if (idColumns.length != 1 || persister.getIdentifierType().isComponentType()) {
            throw new ConfigurationException("Entity " + entity + " has a composite id; synced entities need a "
                    + "single-column id.");
        }
        Generator generator = persister.getGenerator();
        if (generator != null && !(generator instanceof Assigned) && !generator.allowAssignedIdentifiers()) {
            throw new ConfigurationException("Entity " + entity + " generates its ids with "
                    + generator.getClass().getSimpleName() + ", which refuses assigned ids; remote records arrive "
                    + "with their ids. Assign ids in the application (for example random UUIDs) or use a "
                    + "generator that allows assigned ids.");
        }
        String idField = unquote(idColumns[0]);
        Class<?> idType = persister.getIdentifierType().getReturnedClass();

        String[] names = persister.getPropertyNames();
        Type[] types = persister.getPropertyTypes();
        boolean[] nullability = persister.getPropertyNullability();
        int versionIndex = persister.isVersioned() ? persister.getVersionPropertyIndex() : -1;
        List<SyncedField> fields = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            Type type = types[i];
            if (i == versionIndex || type.isCollectionType() || type.isComponentType()
                    || isNotSynced(persister.getMappedClass(), names[i])) {
                continue;
            }
            String[] cols = columns.getPropertyColumnNames(i);
            if (cols == null || cols.length != 1 || cols[0] == null) {
                continue; // formulas, one-to-one on the other side's key, multi-column types
            }
            String name = unquote(cols[0]);
            if (type instanceof EntityType ref) {
                if (!ref.isReferenceToPrimaryKey()) {
                    continue;
                }
                String target = ref.getAssociatedEntityName();
                Class<?> targetId = persister.getFactory().getMappingMetamodel().getEntityDescriptor(target)
                        .getIdentifierType().getReturnedClass();
                fields.add(new SyncedField(name, names[i], i, targetId, JsonValues.typeOf(targetId),
                        nullability[i], target));
            } else {
                Class<?> javaType = type.getReturnedClass();
                fields.add(new SyncedField(name, names[i], i, javaType, JsonValues.typeOf(javaType),
                        nullability[i] && !javaType.isPrimitive(), null));
            }
        }
        sortByDeclaration(persister.getMappedClass(), fields);
        String scopeField = null;
        if (synced != null && !synced.scope().isEmpty()) {
            String wanted = synced.scope();
            scopeField = fields.stream().filter(f -> f.name().equalsIgnoreCase(wanted) || f.attribute().equals(wanted))
                    .map(SyncedField::name).findFirst()
                    .orElseThrow(() -> new ConfigurationException("Entity " + entity + " names scope field '"
                            + wanted + "' in @Synced, but has no synced column or attribute of that name."));
        }
        if (scopeField != null) {
            // the scope field follows the id, as CollectionSchema.builder lays it out
            String scope = scopeField;
            SyncedField f = fields.stream().filter(x -> x.name().equals(scope)).findFirst().orElseThrow();
            fields.remove(f);
            fields.add(0, f);
        }
        return new SyncedEntity(collection, persister, idField, idType, scopeField, fields, viaListener);
    }

    /** Orders fields as the entity class declares them (superclass first); Hibernate's order is alphabetical. */
    private static void sortByDeclaration(Class<?> type, List<SyncedField> fields) {
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        List<String> declared = new ArrayList<>();
        for (Class<?> c : hierarchy) {
            for (Field f : c.getDeclaredFields()) {
                declared.add(f.getName());
            }
        }
        fields.sort(java.util.Comparator.comparingInt(f -> {
            int i = declared.indexOf(f.attribute());
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
    }

    private static boolean isNotSynced(Class<?> type, String attribute) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (annotated(field(c, attribute)) || annotated(getter(c, attribute))) {
                return true;
            }
        }
        return false;
    }

    private static boolean annotated(AnnotatedElement element) {
        return element != null && element.isAnnotationPresent(NotSynced.class);
    }

    private static Field field(Class<?> c, String name) {
        try {
            return c.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static Method getter(Class<?> c, String attribute) {
        String suffix = Character.toUpperCase(attribute.charAt(0)) + attribute.substring(1);
        for (String name : List.of("get" + suffix, "is" + suffix)) {
            try {
                return c.getDeclaredMethod(name);
            } catch (NoSuchMethodException e) {
                // try the next form
            }
        }
        return null;
    }

    /** An identifier without the quotes around it, if any. */
    static String unquote(String name) {
        if (name.length() > 1 && "`\"[".indexOf(name.charAt(0)) >= 0) {
            return name.substring(1, name.length() - 1);
        }
        return name;
    }
}
