package io.tether.sync;

/** Receives committed change batches. Called on the committing thread; keep it short or hand off. */
@FunctionalInterface
public interface ChangeListener {
    void onChanges(ChangeBatch batch);
}
