package io.hactl.controller.vrrp;

/**
 * One step of a group transition, for status.
 *
 * @param step     "state" (the {@link GroupSteps}), "addresses", "announce"
 * @param atMillis when it began, after the transition began
 * @param millis   how long it took; -1 while it runs
 * @param error    why it failed; null when it did not (or runs still)
 */
public record StepTime(String step, long atMillis, long millis, String error) {
    public static final String STATE = "state";
    public static final String ADDRESSES = "addresses";
    public static final String ANNOUNCE = "announce";
}
