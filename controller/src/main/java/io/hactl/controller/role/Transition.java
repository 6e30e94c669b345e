package io.hactl.controller.role;

import java.time.Instant;
import java.util.List;

/**
 * A role change as it ran.
 *
 * @param from     role before
 * @param to       role after
 * @param source   what announced it (e.g. "keepalived notify", "keepalived fifo", "cli")
 * @param at       when it started (wall clock, for people)
 * @param steps    the actions in order, each timed
 * @param millis   the whole transition
 */
public record Transition(Role from, Role to, String source, Instant at, List<Step> steps, long millis) {
    public Transition {
        steps = List.copyOf(steps);
    }

    public boolean ok() {
        return steps.stream().allMatch(Step::ok);
    }
}
