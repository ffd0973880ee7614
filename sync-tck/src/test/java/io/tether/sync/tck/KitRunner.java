package io.tether.sync.tck;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs a kit adoption with the JUnit Platform Launcher and reports which rules failed. */
final class KitRunner {
    private static final Pattern RULE = Pattern.compile("\\[([a-z-]+-\\d+)]");

    private KitRunner() {
    }

    /** What a kit said about an implementation. */
    record Verdict(Set<String> failedRules, List<String> failures, int passed) {
        @Override
        public String toString() {
            return "failed " + failedRules + " (passed " + passed + "): " + String.join("\n  ", failures.stream()
                    .map(f -> f.length() > 400 ? f.substring(0, 400) + "..." : f).toList());
        }
    }

    static Verdict run(Class<?> adoption) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(adoption)).build();
        Set<String> rules = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        int[] passed = {0};
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    return;
                }
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed[0]++;
                } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    Matcher m = RULE.matcher(id.getDisplayName());
                    rules.add(m.find() ? m.group(1) : id.getDisplayName());
                    failures.add(id.getDisplayName() + " -> "
                            + result.getThrowable().map(Throwable::getMessage).orElse(""));
                }
            }
        });
        return new Verdict(rules, failures, passed[0]);
    }
}
