package io.hactl.controller.verdict;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the pair is safe to fail over, computed from evidence: OK only when nothing found a
 * problem. Each finding names its reason and carries its numbers ({@code "unacknowledged: 100
 * messages, oldest 4.2 s (bound 1.2 s)"}); {@code evidence} says in one line what was checked.
 */
public record Verdict(Map<Reason, String> findings, String evidence) {
    public Verdict {
        findings = java.util.Collections.unmodifiableMap(new EnumMap<>(findings.isEmpty()
                ? new EnumMap<>(Reason.class) : findings));
    }

    public boolean ok() {
        return findings.isEmpty();
    }

    /** {@code "name: detail"} for each finding, in the order of {@link Reason}. */
    public List<String> reasons() {
        return findings.entrySet().stream().map(e -> e.getKey().label() + ": " + e.getValue()).toList();
    }
}
