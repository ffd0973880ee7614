package io.tether.samples.domain;

import io.tether.sync.jpa.Synced;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A project: the {@code projects} collection, scoped by its owner. */
@Entity
@Table(name = "projects")
@Synced(collection = "projects", scope = "owner_id")
public class Project {
    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "name", nullable = false)
    private String name;

    /** Set by the hub on create (the principal's scope); devices leave it empty. */
    @Column(name = "owner_id")
    private String ownerId;

    protected Project() {
    }

    public Project(String id, String name) {
        this.id = id;
        this.name = name;
    }

    public String getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getOwnerId() {
        return ownerId;
    }
}
