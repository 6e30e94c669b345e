package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A role transition (or a preload: {@code from} equals {@code to}) with its timed steps, in the
 * order they ran. {@code at} is an ISO-8601 instant.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransitionReport(String from, String to, String source, String at, long millis, boolean ok,
                               List<StepReport> steps) {
    public TransitionReport {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public static TransitionReport of(io.hactl.controller.role.Transition t) {
        return new TransitionReport(t.from().name(), t.to().name(), t.source(), t.at().toString(), t.millis(), t.ok(),
                t.steps().stream().map(s -> new StepReport(s.name(), s.millis(), s.ok(), s.detail())).toList());
    }

    /** One step: {@code detail} is what it did, or why it failed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StepReport(String name, long millis, boolean ok, String detail) {}
}
