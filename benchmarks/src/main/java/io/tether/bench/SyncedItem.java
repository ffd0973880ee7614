package io.tether.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** The benchmark entity captured by Tether. */
@Entity
@io.tether.sync.jpa.Synced(collection = "items", scope = "owner")
public class SyncedItem implements Item {
    @Id
    String id;
    String title;
    long amount;
    boolean done;
    String owner;

    @Override
    public void fill(String id, String title, long amount, String owner) {
        this.id = id;
        this.title = title;
        this.amount = amount;
        this.owner = owner;
    }

    @Override
    public void touch() {
        title = title + "*";
        amount++;
        done = !done;
    }
}
