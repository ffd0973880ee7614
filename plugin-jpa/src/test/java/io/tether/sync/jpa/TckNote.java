package io.tether.sync.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The TCK's {@code notes} collection as an entity. */
@Entity
@Table(name = "tck_notes")
@Synced(collection = "notes")
public class TckNote {
    @Id
    String id;
    String text;
}
