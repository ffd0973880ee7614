package io.tether.samples.domain;

import io.tether.sync.jpa.Synced;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A task: the {@code tasks} collection, scoped by its owner. On the wire its fields are the column names:
 * {@code id}, {@code title}, {@code done}, {@code project_id} (the referenced project's id), {@code priority},
 * {@code due} (an RFC 3339 timestamp) and {@code owner_id}.
 */
@Entity
@Table(name = "tasks")
@Synced(collection = "tasks", scope = "owner_id")
public class Task {
    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "title", nullable = false)
    private String title;

    @Column(name = "done", nullable = false)
    private boolean done;

    @ManyToOne
    @JoinColumn(name = "project_id")
    private Project project;

    @Column(name = "priority")
    private Integer priority;

    @Column(name = "due")
    private Instant due;

    /** Set by the hub on create (the principal's scope); devices leave it empty. */
    @Column(name = "owner_id")
    private String ownerId;

    protected Task() {
    }

    public Task(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }

    public void setTitle(String title) {
        this.title = title;
    }

    public boolean isDone() {
        return done;
    }

    public void setDone(boolean done) {
        this.done = done;
    }

    public Project getProject() {
        return project;
    }

    public void setProject(Project project) {
        this.project = project;
    }

    public Integer getPriority() {
        return priority;
    }

    public void setPriority(Integer priority) {
        this.priority = priority;
    }

    public Instant getDue() {
        return due;
    }

    public void setDue(Instant due) {
        this.due = due;
    }

    public String getOwnerId() {
        return ownerId;
    }
}
