package io.tether.sync.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
@Synced(collection = "projects", scope = "owner_id")
public class Project {
    @Id
    String id;
    String name;
    @Column(name = "owner_id")
    String ownerId;

    public Project() {
    }

    public Project(String id, String name, String ownerId) {
        this.id = id;
        this.name = name;
        this.ownerId = ownerId;
    }
}
