package io.tether.sync;

/** The engine or a plugin was configured wrongly: a missing plugin, an unknown property, a bad value. */
public class ConfigurationException extends SyncException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
