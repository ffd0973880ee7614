package io.tether.sync.spi;

import io.tether.sync.ConfigurationException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The properties of one plugin: those under {@code tether.<plugin>.}, read by their short key.
 * Malformed values fail with a {@link ConfigurationException} that names the full property and what it expects.
 *
 * <pre>{@code
 * Duration interval = config.duration("poll-interval", Duration.ofSeconds(30)); // tether.rest.poll-interval
 * }</pre>
 */
public record PluginConfig(String plugin, Map<String, String> properties) {
    public PluginConfig {
        Objects.requireNonNull(plugin, "plugin");
        properties = Map.copyOf(properties);
    }

    /** The plugin's properties taken out of all engine properties. */
    public static PluginConfig of(String plugin, Map<String, String> all) {
        String prefix = "tether." + plugin + ".";
        Map<String, String> mine = new TreeMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                mine.put(k.substring(prefix.length()), v);
            }
        });
        return new PluginConfig(plugin, mine);
    }

    /** The full property name of a short key. */
    public String fullName(String key) {
        return "tether." + plugin + "." + key;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(properties.get(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String require(String key) {
        return get(key).orElseThrow(() -> new ConfigurationException(
                "Property " + fullName(key) + " is required by plugin '" + plugin + "'."));
    }

    public String string(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue) {
        return get(key).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(fullName(key) + " must be an integer, was '" + v + "'.");
            }
        }).orElse(defaultValue);
    }

    public boolean flag(String key, boolean defaultValue) {
        return get(key).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException(fullName(key) + " must be true or false, was '" + v + "'.");
        }).orElse(defaultValue);
    }

    /** Like {@link #duration}, but the value must be greater than zero. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = duration(key, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigurationException(fullName(key) + " must be a positive duration, was " + d + ".");
        }
        return d;
    }

    /**
     * An instance of the class a property names, made with its public no-argument constructor and checked to be a
     * {@code type}; empty when the property is not set.
     */
    public <T> Optional<T> instance(String key, Class<T> type) {
        return get(key).map(className -> {
            try {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                Class<?> found = Class.forName(className, true, loader != null ? loader : type.getClassLoader());
                if (!type.isAssignableFrom(found)) {
                    throw new ConfigurationException(fullName(key) + ": " + className + " does not implement "
                            + type.getName() + ".");
                }
                return type.cast(found.getConstructor().newInstance());
            } catch (ClassNotFoundException e) {
                throw new ConfigurationException(fullName(key) + ": class " + className
                        + " is not on the class path.", e);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ConfigurationException(fullName(key) + ": " + className
                        + " could not be created with a public no-argument constructor: " + e, e);
            }
        });
    }

    /**
     * Fails for a property that is neither in {@code known} nor in {@code alsoAllowed} (for example the other role's
     * keys, so one file can configure both sides), listing the known ones.
     */
    public void checkKnown(Set<String> known, Set<String> alsoAllowed, String role) {
        for (String key : properties.keySet()) {
            if (!known.contains(key) && !alsoAllowed.contains(key)) {
                throw new ConfigurationException("Unknown property " + fullName(key) + "; known on a " + role + ": "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ".");
            }
        }
    }

    /** A duration as ISO-8601 ({@code PT30S}) or a number with a unit ({@code 500ms}, {@code 30s}, {@code 5m}). */
    public Duration duration(String key, Duration defaultValue) {
        return get(key).map(v -> parseDuration(fullName(key), v)).orElse(defaultValue);
    }

    static Duration parseDuration(String property, String v) {
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new ConfigurationException(property + " must be a duration such as PT30S, 500ms, 30s or 5m, was '"
                    + v + "'.");
        }
    }
}
