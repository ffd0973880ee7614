package io.tether.sync.jpa.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.SyncException;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tether's state inside one SessionFactory: the synced model (read lazily, after the factory exists), the store
 * that receives captured writes, and the per-transaction buffers. Created by {@link TetherIntegrator}.
 * Thread-safe.
 */
public final class SyncRuntime {
    private static final Map<SessionFactory, SyncRuntime> RUNTIMES = new ConcurrentHashMap<>();

    private final SessionFactoryImplementor factory;
    private final Map<SharedSessionContractImplementor, ChangeBuffer> buffers = new ConcurrentHashMap<>();
    private volatile SyncedModel model;
    private volatile ChangeSink sink;

    private SyncRuntime(SessionFactoryImplementor factory) {
        this.factory = factory;
    }

    static SyncRuntime create(SessionFactoryImplementor factory) {
        SyncRuntime runtime = new SyncRuntime(factory);
        RUNTIMES.put(factory, runtime);
        return runtime;
    }

    static void remove(SessionFactory factory) {
        RUNTIMES.remove(factory);
    }

    /** The runtime of a SessionFactory; fails when plugin-jpa's Integrator did not run on it. */
    public static SyncRuntime of(SessionFactory factory) {
        SyncRuntime runtime = RUNTIMES.get(factory);
        if (runtime == null) {
            throw new ConfigurationException("Tether's Hibernate Integrator did not run on this SessionFactory. "
                    + "It registers itself through META-INF/services/org.hibernate.integrator.spi.Integrator in "
                    + "io.tether:plugin-jpa; check that the jar is on the class path the SessionFactory was built "
                    + "with and that the factory is open.");
        }
        return runtime;
    }

    public SessionFactoryImplementor factory() {
        return factory;
    }

    /** The synced entities, read from the runtime metamodel on first use. */
    public SyncedModel model() {
        SyncedModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    model = SyncedModel.read(factory);
                }
                m = model;
            }
        }
        return m;
    }

    /** Attaches the store that receives this factory's captured writes. One store per SessionFactory. */
    public synchronized void attach(ChangeSink store) {
        if (sink != null && sink != store) {
            throw new ConfigurationException("A Tether store is already attached to this SessionFactory ("
                    + sink.getClass().getSimpleName() + "); use one JpaHubStore or JpaReplicaStore per factory.");
        }
        sink = store;
    }

    /** Detaches a store (on close). */
    public synchronized void detach(ChangeSink store) {
        if (sink == store) {
            sink = null;
        }
    }

    ChangeSink sink() {
        ChangeSink s = sink;
        if (s == null) {
            throw new SyncException("A synced entity was written but no open Tether store is attached to this "
                    + "SessionFactory, so the write cannot be captured. Create a JpaReplicaStore or JpaHubStore "
                    + "over it and start the engine before writing synced entities.");
        }
        return s;
    }

    /** The session's buffer for its current transaction, created (and registered for completion) on first use. */
    public ChangeBuffer buffer(SharedSessionContractImplementor session) {
        ChangeBuffer buffer = buffers.get(session);
        if (buffer != null) {
            return buffer;
        }
        sink(); // fail before anything is buffered when no store is attached
        if (!session.isTransactionInProgress()) {
            throw new SyncException("A synced entity was written outside a transaction; Tether captures writes "
                    + "only inside transactions. Wrap the write in a transaction.");
        }
        buffer = new ChangeBuffer(this, session);
        buffers.put(session, buffer);
        CompletionCallbacks.register(session, buffer);
        return buffer;
    }

    /** The session's buffer if it has one, without creating it. */
    ChangeBuffer peek(SharedSessionContractImplementor session) {
        return buffers.get(session);
    }

    void release(SharedSessionContractImplementor session) {
        buffers.remove(session);
    }
}
