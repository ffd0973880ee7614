package io.tether.sync.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/** Not synced: its writes are never captured. It may reference a synced project (a local bookmark, say). */
@Entity
public class Plain {
    @Id
    String id;
    String label;
    @ManyToOne
    Project project;

    public Plain() {
    }

    public Plain(String id, String value) {
        this.id = id;
        this.label = value;
    }
}
