package io.hactl.controller.vrrp;

import java.util.List;

/**
 * The last change of the sync group's state and its steps in the order they began: to MASTER
 * "state", "addresses", "announce" (the first round; the others follow at the GARP interval), or
 * "addresses", "announce", "state" when the kernel held the peer's flows already;
 * from MASTER "addresses" (removed), then "state".
 *
 * @param to         the state entered
 * @param why        what moved the group
 * @param overBudget for MASTER, whether the addresses went up before the state steps were done
 *                   because the commit budget ran out
 * @param kernelHeldState for MASTER, whether the kernel held every flow the peer sent already (a
 *                   warm standby in step): the addresses went up first, the state steps behind them
 */
public record GroupTransition(VrrpState to, String why, List<StepTime> steps, boolean overBudget,
                              boolean kernelHeldState) {
    public GroupTransition {
        steps = List.copyOf(steps);
    }
}
