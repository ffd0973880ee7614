package io.tether.sync.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityListeners;
import jakarta.persistence.Id;

/** Opts in with the JPA entity-listener style instead of {@link Synced}. */
@Entity
@EntityListeners({SyncEntityListener.class, NoteHook.class})
public class Note {
    @Id
    String id;
    @Column(length = 2_000_000) // more than a record of Tether's may hold as JSON, so that limit can be reached
    String text;

    public Note() {
    }

    public Note(String id, String text) {
        this.id = id;
        this.text = text;
    }
}
