package io.tether.sync.jpa;

import jakarta.persistence.PreUpdate;

import java.util.concurrent.atomic.AtomicReference;

/** A test's hook into the moment just before a {@link Note} is updated: runs once, on the updating thread. */
public class NoteHook {
    private static final AtomicReference<Runnable> ONCE = new AtomicReference<>();

    static void once(Runnable hook) {
        ONCE.set(hook);
    }

    @PreUpdate
    public void preUpdate(Object note) {
        Runnable hook = ONCE.getAndSet(null);
        if (hook != null) {
            hook.run();
        }
    }
}
