package io.hactl.controller.role;

/** One timed action of a transition: its name, how long it took, and its outcome. */
public record Step(String name, long millis, boolean ok, String detail) {
}
