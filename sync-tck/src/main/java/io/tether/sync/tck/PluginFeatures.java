package io.tether.sync.tck;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the {@link PluginKit} configures a plugin, and which optional rules apply.
 *
 * <pre>{@code
 * @Override protected PluginFeatures features() {
 *     return PluginFeatures.defaults()
 *             .withConfiguration(Map.of("tether.rest.port", "0"))
 *             .withBadConfiguration(Map.of("tether.rest.port", "eighty"));
 * }
 * }</pre>
 *
 * @param configuration    properties ({@code tether.<name>.*}) a plugin starts with
 * @param badConfiguration properties each of which, added alone to {@code configuration}, must make start fail
 *                         with a {@link io.tether.sync.ConfigurationException} naming it; empty skips the rule
 * @param ignoredThreads   names of threads the JVM or a library owns that may outlive a stopped plugin
 */
public record PluginFeatures(Map<String, String> configuration, Map<String, String> badConfiguration,
                             Pattern ignoredThreads) {
    private static final Pattern JVM_THREADS =
            Pattern.compile("ForkJoinPool\\.commonPool-.*|Attach Listener|process reaper|Common-Cleaner");

    public PluginFeatures {
        configuration = Map.copyOf(configuration);
        badConfiguration = Map.copyOf(badConfiguration);
    }

    /** No configuration, no configuration errors to check, JVM-owned threads ignored. */
    public static PluginFeatures defaults() {
        return new PluginFeatures(Map.of(), Map.of(), JVM_THREADS);
    }

    public PluginFeatures withConfiguration(Map<String, String> properties) {
        return new PluginFeatures(properties, badConfiguration, ignoredThreads);
    }

    public PluginFeatures withBadConfiguration(Map<String, String> properties) {
        return new PluginFeatures(configuration, properties, ignoredThreads);
    }

    /** Also ignores threads whose names match {@code regex} (a library's shared threads, for example). */
    public PluginFeatures ignoringThreads(String regex) {
        return new PluginFeatures(configuration, badConfiguration,
                Pattern.compile(ignoredThreads.pattern() + "|" + regex));
    }
}
