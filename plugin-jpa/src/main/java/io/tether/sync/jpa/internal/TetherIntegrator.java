package io.tether.sync.jpa.internal;

import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;

/**
 * Registers Tether's capture listeners with every SessionFactory built with plugin-jpa on the class path
 * (through {@code META-INF/services/org.hibernate.integrator.spi.Integrator}), so the application writes no
 * registration code. The listeners are prepended, so a JPA callback of the same event sees the event announced.
 */
public final class TetherIntegrator implements Integrator {
    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext,
                          SessionFactoryImplementor sessionFactory) {
        SyncRuntime runtime = SyncRuntime.create(sessionFactory);
        CaptureListener listener = new CaptureListener(runtime);
        EventListenerRegistry registry = sessionFactory.getServiceRegistry().requireService(EventListenerRegistry.class);
        registry.prependListeners(EventType.POST_INSERT, listener);
        registry.prependListeners(EventType.POST_UPDATE, listener);
        registry.prependListeners(EventType.POST_DELETE, listener);
    }

    @Override
    public void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
        SyncRuntime.remove(sessionFactory);
    }
}
