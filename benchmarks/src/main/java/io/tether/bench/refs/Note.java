package io.tether.bench.refs;

import io.tether.sync.jpa.Synced;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/** A record that references another by a many-to-one (a foreign key on the replica's table). */
@Entity
@Synced(collection = "notes", scope = "owner")
public class Note {
    @Id
    String id;
    String title;
    @ManyToOne
    Folder folder;
    String owner;
}
