package io.tether.samples;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Keeps the samples' console readable: Hibernate and Jetty only speak up for problems. */
final class Logging {
    /** Held so the configured levels are not collected with the loggers. */
    private static final List<Logger> CONFIGURED = List.of(
            level("", Level.WARNING),
            level("org.hibernate", Level.SEVERE),
            level("org.eclipse.jetty", Level.WARNING),
            level("io.tether", Level.WARNING));

    private Logging() {
    }

    /** Applies the levels (once; calling it again does nothing). */
    static void quiet() {
        CONFIGURED.size();
    }

    private static Logger level(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }
}
