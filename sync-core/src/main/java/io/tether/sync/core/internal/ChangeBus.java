package io.tether.sync.core.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeListener;
import io.tether.sync.Subscription;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delivers committed batches to listeners; a failing listener is logged and does not stop the others. */
public final class ChangeBus {
    private static final System.Logger LOG = System.getLogger(ChangeBus.class.getName());
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();

    public Subscription subscribe(ChangeListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    public void publish(ChangeBatch batch) {
        for (ChangeListener l : listeners) {
            try {
                l.onChanges(batch);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "change listener " + l.getClass().getName() + " failed", e);
            }
        }
    }
}
