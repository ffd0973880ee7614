package io.tether.bench.refs;

import io.tether.sync.jpa.Synced;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A record others reference: {@link Note}s are in a folder. */
@Entity
@Synced(collection = "folders", scope = "owner")
public class Folder {
    @Id
    String id;
    String name;
    String owner;
}
