package io.tether.sync.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Version;

import java.time.Instant;

@Entity
@Synced(collection = "tasks", scope = "owner_id")
public class Task {
    @Id
    String id;
    @Column(nullable = false)
    String title;
    boolean done;
    Integer priority;
    Instant due;
    @ManyToOne
    Project project;
    @Column(name = "owner_id")
    String ownerId;
    @NotSynced
    String localNote;
    @Version
    long revision;

    public Task() {
    }

    public Task(String id, String title, String ownerId) {
        this.id = id;
        this.title = title;
        this.ownerId = ownerId;
    }
}
