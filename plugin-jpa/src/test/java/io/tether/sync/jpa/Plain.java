package io.tether.sync.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** Not synced: its writes are never captured. */
@Entity
public class Plain {
    @Id
    String id;
    String label;

    public Plain() {
    }

    public Plain(String id, String value) {
        this.id = id;
        this.label = value;
    }
}
