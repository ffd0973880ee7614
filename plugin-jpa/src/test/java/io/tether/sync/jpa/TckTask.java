package io.tether.sync.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The TCK's {@code tasks} collection as an entity. */
@Entity
@Table(name = "tck_tasks")
@Synced(collection = "tasks", scope = "owner_id")
public class TckTask {
    @Id
    String id;
    @Column(name = "owner_id")
    String ownerId;
    @Column(nullable = false)
    String title;
    boolean done;
    Long n;
}
