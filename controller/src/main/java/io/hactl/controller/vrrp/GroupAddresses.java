package io.hactl.controller.vrrp;

import java.io.IOException;
import java.util.List;

/**
 * The virtual addresses of a {@link VrrpController}'s group: every member's addresses put on or
 * taken off its interface, and announced, through the {@link VrrpIo}, all members at once. A
 * failure of one member does not stop the others: it is counted by {@link IoFailures} and comes
 * back as the step's error text (null when all went well). Owned by the loop thread.
 */
final class GroupAddresses {
    private final List<Member> members;
    private final VrrpIo io;
    private final IoFailures failures;

    GroupAddresses(List<Member> members, VrrpIo io, IoFailures failures) {
        this.members = List.copyOf(members);
        this.io = io;
        this.failures = failures;
    }

    /** Puts every member's addresses on its interface; the error text, or null. */
    String add() {
        String error = null;
        for (Member m : members) {
            try {
                io.addAddresses(m.router);
            } catch (IOException | RuntimeException e) {
                error = failures.failed(m.router.name() + ": adding " + m.router.addresses(), e, error);
            }
        }
        return error;
    }

    /** One round of gratuitous ARP / unsolicited NA for every member; the error text, or null. */
    String announce() {
        String error = null;
        for (Member m : members) {
            try {
                io.announce(m.router);
            } catch (IOException | RuntimeException e) {
                error = failures.failed(m.router.name() + ": announcing " + m.router.addresses(), e, error);
            }
        }
        return error;
    }

    /** Takes every member's addresses off its interface; the error text, or null. */
    String remove() {
        String error = null;
        for (Member m : members) {
            try {
                io.removeAddresses(m.router);
            } catch (IOException | RuntimeException e) {
                error = failures.failed(m.router.name() + ": removing " + m.router.addresses(), e, error);
            }
        }
        return error;
    }
}
