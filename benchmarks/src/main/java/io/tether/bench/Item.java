package io.tether.bench;

/** The benchmark's entity, in one class per variant so that each factory maps exactly one. */
public interface Item {
    void fill(String id, String title, long amount, String owner);

    /** Changes three fields. */
    void touch();
}
