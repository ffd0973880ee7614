package io.tether.sync.jpa.internal;

import io.tether.sync.Operation;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import io.tether.sync.spi.WriteRefusedException;
import jakarta.persistence.EntityNotFoundException;
import jakarta.persistence.LockModeType;
import org.hibernate.Session;
import org.hibernate.SharedSessionContract;
import org.hibernate.StatelessSession;
import org.hibernate.Transaction;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.AbstractEntityPersister;
import org.hibernate.proxy.HibernateProxy;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads and writes records through the application's entities (so its validation and listeners run), and runs
 * store transactions on fresh sessions. Thread-safe; the sessions it opens are confined to one call.
 */
public final class EntityRecords {
    private final SyncRuntime runtime;
    /** Each entity's key lookup, where it has one (see {@link #keyProbe}). */
    private final Map<SyncedEntity, Optional<KeyProbe>> keyProbes = new ConcurrentHashMap<>();
    /** Each entity's unique indexes other than its primary key, read once from the database's metadata. */
    private final Map<SyncedEntity, List<UniqueIndex>> uniqueIndexes = new ConcurrentHashMap<>();

    public EntityRecords(SyncRuntime runtime) {
        this.runtime = runtime;
    }

    public SyncRuntime runtime() {
        return runtime;
    }

    public SyncedModel model() {
        return runtime.model();
    }

    /** Runs {@code work} in a new session and transaction; commits, or rolls back and rethrows. */
    public <T> T inTransaction(Function<SessionImplementor, T> work) {
        SessionFactoryImplementor factory = runtime.factory();
        try (Session session = factory.openSession()) {
            Transaction tx = session.beginTransaction();
            try {
                T result = work.apply((SessionImplementor) session);
                tx.commit();
                return result;
            } catch (RuntimeException | Error e) {
                if (tx.isActive()) {
                    try {
                        tx.rollback();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }

    /**
     * The entity instance of a record, or null; never a proxy. A session that made a proxy of the record (a reference
     * to it from another entity, after a {@code clear()}) returns that proxy from {@code find}, and values set on a
     * proxy's own fields reach neither the entity nor the database, nor are they read back.
     */
    public Object find(SessionImplementor session, SyncedEntity entity, String id) {
        ChangeBuffer buffer = runtime.peek(session);
        if (buffer != null && buffer.knownAbsent(new RecordKey(entity.collection(), id))) {
            return null;
        }
        Object entityId;
        try {
            entityId = entity.entityId(id);
        } catch (RuntimeException e) {
            return null; // an id of the wrong form names no entity
        }
        Object found = session.find(entity.entityClass(), entityId);
        if (found == null && buffer != null) {
            buffer.absent(new RecordKey(entity.collection(), id), true); // until written: no second query
        }
        return found instanceof HibernateProxy proxy ? proxy.getHibernateLazyInitializer().getImplementation() : found;
    }

    /**
     * Notes which of these records have no entity, so that reading or writing them in this transaction needs no
     * query: on an in-process database (H2) a key lookup on the entity's table costs less than loading through
     * Hibernate. Only for String, Long and Integer ids; elsewhere, and for other ids, it does nothing.
     */
    public void findAbsent(SessionImplementor session, SyncedEntity entity, Collection<String> ids) {
        KeyProbe probe = keyProbe(entity);
        if (ids.isEmpty() || probe == null) {
            return;
        }
        Map<Object, String> probed = new LinkedHashMap<>();
        for (String id : ids) {
            Object entityId = probedId(session, entity, id);
            if (entityId != null) {
                probed.put(entityId, id);
            }
        }
        if (probed.isEmpty()) {
            return;
        }
        Set<Object> present = new HashSet<>();
        Jdbc.on(session, c -> {
            // one statement for all of them: H2 spends most of a one-key lookup starting the statement
            try (PreparedStatement ps = c.prepareStatement(probe.many())) {
                List<Object> keys = List.copyOf(probed.keySet());
                Class<?> idClass = keys.get(0).getClass();
                KeyLookup.readByArray(ps, keys, rs -> present.add(rs.getObject(1, idClass)));
            }
            return null;
        });
        ChangeBuffer buffer = runtime.buffer(session);
        probed.forEach((entityId, id) -> {
            if (!present.contains(entityId)) {
                buffer.absent(new RecordKey(entity.collection(), id), true);
            }
        });
    }

    /**
     * Loads the entities of these records with their rows locked until the transaction ends, in id order, and notes
     * the records that have none. A hub's push takes these locks before those of Tether's own rows, in the order an
     * application's write takes them (its entity row when it flushes, then the metadata in its capture), so the two
     * never wait on each other in a cycle. On an in-process database the records with no entity are found first by
     * key lookups (there is no row to lock), so a push of new records runs no entity query at all.
     */
    public void lock(SessionImplementor session, SyncedEntity entity, Collection<String> ids) {
        findAbsent(session, entity, ids);
        ChangeBuffer buffer = runtime.buffer(session);
        Map<Object, String> byEntityId = new LinkedHashMap<>();
        for (String id : ids) {
            if (buffer.knownAbsent(new RecordKey(entity.collection(), id))) {
                continue;
            }
            try {
                byEntityId.put(entity.entityId(id), id);
            } catch (RuntimeException e) {
                // an id of the wrong form names no entity
            }
        }
        if (byEntityId.isEmpty()) {
            return;
        }
        String idName = "e." + entity.persister().getIdentifierPropertyName();
        String hql = "from " + entity.persister().getEntityName() + " e where " + idName + " in (:ids) order by "
                + idName;
        Set<String> present = new HashSet<>();
        for (List<Object> chunk : lockChunks(entity, byEntityId.keySet())) {
            for (Object instance : session.createSelectionQuery(hql, entity.entityClass()).setParameter("ids", chunk)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList()) {
                present.add(byEntityId.get(session.getIdentifier(instance)));
            }
        }
        byEntityId.values().stream().filter(id -> !present.contains(id))
                .forEach(id -> buffer.absent(new RecordKey(entity.collection(), id), true));
    }

    /** The most ids {@link #lock} puts in one IN list on an in-process database. */
    private static final int LOCK_CHUNK = 64;

    /**
     * The ids to lock, in the queries to lock them with. H2 checks every row it reads against the whole IN list, one
     * value after another, so one list of a thousand ids costs it half a million comparisons; there, where a query
     * costs microseconds, the ids go in lists of at most {@link #LOCK_CHUNK}, sorted so that the locks are still
     * taken in id order (H2 compares strings and numbers as Java does). Elsewhere one list: PostgreSQL hashes it.
     */
    private List<List<Object>> lockChunks(SyncedEntity entity, Collection<Object> ids) {
        if (ids.size() <= LOCK_CHUNK || keyProbe(entity) == null) {
            return List.of(List.copyOf(ids));
        }
        List<Object> sorted = new ArrayList<>(ids);
        sorted.sort(null); // keyProbe: String, Long or Integer ids
        return Jdbc.chunks(sorted, LOCK_CHUNK);
    }

    /** Whether an entity has this id: on an in-process database a key lookup, elsewhere (or for other ids) a load. */
    public boolean exists(SessionImplementor session, SyncedEntity entity, String id) {
        ChangeBuffer buffer = runtime.peek(session);
        if (buffer != null && buffer.knownAbsent(new RecordKey(entity.collection(), id))) {
            return false;
        }
        KeyProbe probe = keyProbe(entity);
        Object entityId = probe == null ? null : probedId(session, entity, id);
        if (entityId == null) {
            return find(session, entity, id) != null;
        }
        return Jdbc.on(session, c -> {
            try (PreparedStatement ps = c.prepareStatement(probe.one())) {
                ps.setObject(1, entityId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * The key lookups on the entity's table, or null where loading through Hibernate is the better way; worked out
     * once per entity (settling a push asks for every record).
     */
    private KeyProbe keyProbe(SyncedEntity entity) {
        return keyProbes.computeIfAbsent(entity, e -> {
            String arrayType = ARRAY_TYPES.get(e.idType());
            if (!KeyLookup.inProcess(runtime.factory()) || !(e.persister() instanceof AbstractEntityPersister persister)
                    || arrayType == null || persister.getRootTableKeyColumnNames().length != 1) {
                return Optional.empty();
            }
            String table = persister.getRootTableName();
            String key = persister.getRootTableKeyColumnNames()[0];
            return Optional.of(new KeyProbe("select 1 from " + table + " where " + key + " = ?",
                    KeyLookup.arrayJoin(KeyLookup.ARRAY_KEY, arrayType, table, key + " = " + KeyLookup.ARRAY_KEY)));
        }).orElse(null);
    }

    /**
     * Whether one id is present, and which of an array of ids are: those the query gives back, as they were given
     * (a column that compares ignoring case would give back another spelling).
     */
    private record KeyProbe(String one, String many) {
    }

    /** The id types {@link #keyProbe} looks up directly, with their SQL types. */
    private static final Map<Class<?>, String> ARRAY_TYPES = Map.of(String.class, "varchar", Long.class, "bigint",
            long.class, "bigint", Integer.class, "integer", int.class, "integer");

    /**
     * The entity id to look up, or null where a key lookup cannot tell: an id of the wrong form ({@link #find} says
     * so itself), or an entity this session holds, perhaps written and not flushed yet.
     */
    private static Object probedId(SessionImplementor session, SyncedEntity entity, String id) {
        Object entityId;
        try {
            entityId = entity.entityId(id);
        } catch (RuntimeException e) {
            return null;
        }
        boolean held = session.getPersistenceContextInternal()
                .getEntity(session.generateEntityKey(entityId, entity.persister())) != null;
        return held ? null : entityId;
    }

    /** The record's data, or empty when no entity has that id. */
    public Optional<Map<String, Object>> read(SessionImplementor session, SyncedEntity entity, String id) {
        Object instance = find(session, entity, id);
        return instance == null ? Optional.empty() : Optional.of(entity.record(instance, session));
    }

    /** Every entity of a collection as records, keyed by record id in id order. */
    public Map<String, Map<String, Object>> readAll(SessionImplementor session, SyncedEntity entity) {
        List<?> all = session.createSelectionQuery("from " + entity.persister().getEntityName(),
                entity.entityClass()).getResultList();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        all.stream().map(e -> entity.record(e, session))
                .sorted(Comparator.comparing((Map<String, Object> d) -> String.valueOf(d.get(entity.idField()))))
                .forEach(d -> out.put(String.valueOf(d.get(entity.idField())), d));
        return out;
    }

    /** Up to {@code limit} ids of the entity's rows after {@code after} (null: from the first), in id order. */
    public List<?> idsAfter(SessionImplementor session, SyncedEntity entity, Object after, int limit) {
        String id = "e." + entity.persister().getIdentifierPropertyName();
        var query = session.createSelectionQuery("select " + id + " from " + entity.persister().getEntityName()
                + " e" + (after == null ? "" : " where " + id + " > :after") + " order by " + id, Object.class)
                .setMaxResults(limit);
        if (after != null) {
            query.setParameter("after", after);
        }
        return query.getResultList();
    }

    public long count(SessionImplementor session, SyncedEntity entity) {
        return session.createSelectionQuery("select count(*) from " + entity.persister().getEntityName(), Long.class)
                .getSingleResult();
    }

    /** Creates or updates the entity of a record from its data (fields absent from {@code data} are kept). */
    public void write(SessionImplementor session, SyncedEntity entity, String id, Map<String, Object> data) {
        Object instance = find(session, entity, id);
        if (instance == null) {
            Object entityId;
            try {
                entityId = entity.entityId(id);
            } catch (RuntimeException e) {
                throw new WriteRefusedException("record id '" + id + "' is not a valid id of collection '"
                        + entity.collection() + "': " + e.getMessage(), e);
            }
            instance = entity.persister().instantiate(entityId, session);
            entity.apply(instance, data, session);
            session.persist(instance);
            ChangeBuffer buffer = runtime.peek(session);
            if (buffer != null) {
                buffer.absent(new RecordKey(entity.collection(), id), false);
            }
        } else {
            entity.apply(instance, data, session);
        }
    }

    /**
     * Whether a row of any entity, synced or not, references this record's entity by a many-to-one (after flushing
     * this session's writes): removing it would then break a foreign key.
     */
    public boolean referenced(SessionImplementor session, SyncedEntity entity, String id) {
        List<SyncedModel.Holder> holders = model().holdersOf(entity);
        if (holders.isEmpty()) {
            return false;
        }
        Object target = session.getReference(entity.entityClass(), entity.entityId(id));
        for (SyncedModel.Holder h : holders) {
            List<?> found = session.createSelectionQuery("select 1 from " + h.entityName()
                    + " e where e." + h.attribute() + " = :target", Object.class)
                    .setParameter("target", target).setMaxResults(1).getResultList();
            if (!found.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether writing {@code after} over {@code before} changes a field that a unique index of the entity's table
     * covers (other than its primary key). Hibernate flushes inserts before updates and an entity's updates as one,
     * so the write must be flushed before the next one of its transaction, which may take the value it frees: the
     * hub's order is the one its unique indexes allowed.
     */
    public boolean changesUnique(SessionImplementor session, SyncedEntity entity, Map<String, Object> before,
                                 Map<String, Object> after) {
        for (UniqueIndex index : uniqueIndexes(session, entity)) {
            for (String field : index.fields()) {
                if (field != null && !Objects.equals(before.get(field), after.get(field))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The id of another record of the entity whose row holds one of a record's unique {@code keys} ({@link
     * #uniqueKeys}), if any: writing the record now would break the index (rows this session inserted and has not
     * flushed are not seen).
     */
    public Optional<String> uniqueHolder(SessionImplementor session, SyncedEntity entity, String id,
                                         List<UniqueKey> keys) {
        for (UniqueKey key : keys) {
            Optional<String> holder = holderOf(session, entity, id, key);
            if (holder.isPresent()) {
                return holder;
            }
        }
        return Optional.empty();
    }

    /**
     * A unique index: the record field of each of its columns (null for a column no synced field maps), and the
     * query that finds another row holding a record's values in it, or null when some field's JSON value does not
     * bind to its column as it is (only strings, integers and booleans do), so that the index is not looked up.
     */
    record UniqueIndex(List<String> fields, String lookup) {
    }

    /** One unique index and the values a record has in it. */
    record UniqueKey(UniqueIndex index, List<Object> values) {
    }

    /** The values {@code data} has in each unique index that can be looked up, and holds no null. */
    List<UniqueKey> uniqueKeys(SessionImplementor session, SyncedEntity entity, Map<String, Object> data) {
        List<UniqueIndex> indexes = uniqueIndexes(session, entity);
        if (indexes.isEmpty()) {
            return List.of(); // most entities
        }
        List<UniqueKey> keys = new ArrayList<>(indexes.size());
        for (UniqueIndex index : indexes) {
            if (index.lookup() == null) {
                continue;
            }
            List<Object> values = new ArrayList<>(index.fields().size());
            for (String field : index.fields()) {
                values.add(data.get(field));
            }
            if (!values.contains(null)) {
                keys.add(new UniqueKey(index, values));
            }
        }
        return keys;
    }

    /** Field types whose JSON values bind to their columns as they are. */
    private static final Set<Class<?>> BINDABLE = Set.of(String.class, Long.class, long.class, Integer.class,
            int.class, Short.class, short.class, Boolean.class, boolean.class);

    private static Optional<String> holderOf(SessionImplementor session, SyncedEntity entity, String id,
                                             UniqueKey key) {
        List<Object> values = key.values();
        Object entityId = entity.entityId(id);
        return Jdbc.on(session, c -> {
            try (PreparedStatement ps = c.prepareStatement(key.index().lookup())) {
                for (int i = 0; i < values.size(); i++) {
                    ps.setObject(i + 1, values.get(i));
                }
                ps.setObject(values.size() + 1, entityId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(entity.recordId(rs.getObject(1))) : Optional.<String>empty();
                }
            }
        });
    }

    private List<UniqueIndex> uniqueIndexes(SessionImplementor session, SyncedEntity entity) {
        return uniqueIndexes.computeIfAbsent(entity, e -> Jdbc.on(session, c -> readUniqueIndexes(c, e)));
    }

    private static List<UniqueIndex> readUniqueIndexes(Connection c, SyncedEntity entity) throws SQLException {
        if (!(entity.persister() instanceof AbstractEntityPersister persister)) {
            return List.of();
        }
        DatabaseMetaData meta = c.getMetaData();
        String[] name = persister.getTableName().split("\\.");
        String table = identifier(meta, name[name.length - 1]);
        String schema = name.length > 1 ? identifier(meta, name[name.length - 2]) : c.getSchema();
        Set<String> primaryKey = new HashSet<>();
        for (String column : persister.getIdentifierColumnNames()) {
            primaryKey.add(SyncedModel.unquote(column).toLowerCase(Locale.ROOT));
        }
        Map<String, List<String>> indexes = new LinkedHashMap<>();
        try (ResultSet rs = meta.getIndexInfo(c.getCatalog(), schema, table, true, true)) {
            while (rs.next()) {
                String index = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                if (index != null && column != null) {
                    indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(column);
                }
            }
        }
        // record fields are named after their columns: matched regardless of case, once
        Map<String, String> fieldsByColumn = new HashMap<>();
        entity.fieldNames().forEach(f -> fieldsByColumn.put(f.toLowerCase(Locale.ROOT), f));
        List<UniqueIndex> unique = new ArrayList<>();
        for (List<String> columns : indexes.values()) {
            List<String> lower = columns.stream().map(col -> col.toLowerCase(Locale.ROOT)).toList();
            if (Set.copyOf(lower).equals(primaryKey)) {
                continue;
            }
            List<String> fields = lower.stream().map(fieldsByColumn::get).toList();
            boolean bindable = fields.stream().allMatch(f -> f != null && BINDABLE.contains(entity.javaTypeOf(f)));
            unique.add(new UniqueIndex(fields, bindable ? lookup(persister, columns) : null));
        }
        return List.copyOf(unique);
    }

    /** The id of another row holding given values in these columns (as the database spells them), the id last. */
    private static String lookup(AbstractEntityPersister persister, List<String> columns) {
        String idColumn = persister.getIdentifierColumnNames()[0];
        StringBuilder sql = new StringBuilder("select " + idColumn + " from " + persister.getTableName() + " where ");
        columns.forEach(column -> sql.append('"').append(column).append("\" = ? and "));
        return sql.append(idColumn).append(" <> ?").toString();
    }

    /** A table or schema name as the database's metadata spells it. */
    private static String identifier(DatabaseMetaData meta, String name) throws SQLException {
        String unquoted = SyncedModel.unquote(name);
        if (!unquoted.equals(name)) {
            return unquoted;
        }
        if (meta.storesUpperCaseIdentifiers()) {
            return name.toUpperCase(Locale.ROOT);
        }
        return meta.storesLowerCaseIdentifiers() ? name.toLowerCase(Locale.ROOT) : name;
    }

    /** Removes the entity of a record; returns whether there was one. */
    public boolean remove(SessionImplementor session, SyncedEntity entity, String id) {
        Object instance = find(session, entity, id);
        if (instance == null) {
            return false;
        }
        session.remove(instance);
        session.flush(); // so a later write of the same id in this transaction starts from a clean slate
        session.clear(); // and, everything being written, so that later flushes have nothing old to dirty-check
        return true;
    }

    /** The versions a store holds for records of one collection (records without one are left out). */
    @FunctionalInterface
    public interface Versions {
        Map<String, Long> of(SessionImplementor session, String collection, List<String> ids);
    }

    /** A store's {@code list}: every record of a collection, in id order, with its version (0 when it has none). */
    public List<SyncRecord> list(String collection, Versions versions) {
        SyncedEntity entity = model().require(collection);
        return inTransaction(s -> {
            Map<String, Map<String, Object>> all = readAll(s, entity);
            Map<String, Long> known = versions.of(s, collection, List.copyOf(all.keySet()));
            List<SyncRecord> out = new ArrayList<>(all.size());
            all.forEach((id, data) -> out.add(new SyncRecord(collection, id, data, known.getOrDefault(id, 0L))));
            return out;
        });
    }

    /** A store's {@code count}: how many entities a collection has. */
    public long count(String collection) {
        SyncedEntity entity = model().require(collection);
        return inTransaction(s -> count(s, entity));
    }

    /**
     * A store's {@code put}: runs the persistence hooks (which may transform the record, unlike on a write made
     * through Hibernate) and writes the entity in a transaction of its own, captured like the application's writes.
     */
    public void put(StoreContext context, Role role, String collection, String id, Map<String, Object> data) {
        SyncedEntity entity = model().require(collection);
        inTransaction(s -> {
            Map<String, Object> before = read(s, entity, id).orElse(null);
            Map<String, Object> stored = context.beforeStore(new PendingWrite(role, collection, id, Operation.UPSERT,
                    before, data, null, null));
            runtime.buffer(s).hooksRan(new RecordKey(collection, id));
            write(s, entity, id, stored);
            return null;
        });
    }

    /** A store's {@code delete}: removes the entity in a transaction of its own, captured like the application's. */
    public void delete(String collection, String id) {
        SyncedEntity entity = model().require(collection);
        inTransaction(s -> remove(s, entity, id));
    }

    /** Captures the current row of an entity written behind Hibernate's back (bulk statements, native SQL). */
    public void recordUnseen(SharedSessionContract contract, Class<?> entityType, Object id) {
        SyncedEntity entity = model().forClass(entityType);
        if (!(contract instanceof SharedSessionContractImplementor session)) {
            throw new IllegalArgumentException("not a Hibernate session: " + contract);
        }
        Object row;
        if (contract instanceof SessionImplementor s) {
            s.flush();
            row = s.find(entityType, id);
            if (row != null) {
                try {
                    s.refresh(row);
                } catch (EntityNotFoundException e) {
                    s.detach(row);
                    row = null;
                }
            }
        } else if (contract instanceof StatelessSession s) {
            row = s.get(entityType, id);
        } else {
            throw new IllegalArgumentException("unsupported session type " + contract.getClass().getName());
        }
        RecordKey key = new RecordKey(entity.collection(), entity.recordId(id));
        CapturedChange change = row == null
                ? new CapturedChange(key, entity, Operation.DELETE, null, null, null, false)
                : new CapturedChange(key, entity, Operation.UPSERT, null, entity.record(row, session), null, false);
        runtime.buffer(session).capture(change);
    }
}
