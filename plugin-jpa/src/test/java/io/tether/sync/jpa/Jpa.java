package io.tether.sync.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import java.util.function.Consumer;
import java.util.function.Function;

/** Transactions for tests, the way an application writes. */
final class Jpa {
    private Jpa() {
    }

    static void tx(EntityManagerFactory emf, Consumer<EntityManager> work) {
        call(emf, em -> {
            work.accept(em);
            return null;
        });
    }

    static <T> T call(EntityManagerFactory emf, Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } catch (RuntimeException e) {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            throw e;
        } finally {
            em.close();
        }
    }

    /** Counts a table's rows with plain SQL (nothing Tether does on the way, such as folding the journal). */
    static long rows(EntityManagerFactory emf, String table) {
        return call(emf, em -> ((Number) em.createNativeQuery("select count(*) from " + table).getSingleResult())
                .longValue());
    }

    static void rolledBack(EntityManagerFactory emf, Consumer<EntityManager> work) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.flush();
            em.getTransaction().rollback();
        } finally {
            em.close();
        }
    }

    /** How many delivered records wait in {@code tether_replica_waiting} on this replica's database. */
    static long waiting(EntityManagerFactory emf) {
        return call(emf, em -> em.createQuery("select count(*) from TetherReplicaWaiting", Long.class)
                .getSingleResult());
    }
}
