package io.hactl.controller.vrrp;

import java.util.ArrayList;
import java.util.List;

/** Writes down what an instance did, in order: "advert 150", "master", "backup", "fault", "stopped". */
final class RecordingActions implements Actions {
    final String prefix;
    final List<String> calls;

    RecordingActions() {
        this("", new ArrayList<>());
    }

    /** Shares {@code calls} with other instances, each call prefixed ("LAN advert 150"). */
    RecordingActions(String prefix, List<String> calls) {
        this.prefix = prefix;
        this.calls = calls;
    }

    /** The calls so far, then forgets them. */
    List<String> take() {
        List<String> out = List.copyOf(calls);
        calls.clear();
        return out;
    }

    private void add(String call) {
        calls.add(prefix + call);
    }

    @Override
    public void sendAdvert(int priority) {
        add("advert " + priority);
    }

    @Override
    public void becomeMaster() {
        add("master");
    }

    @Override
    public void becomeBackup() {
        add("backup");
    }

    @Override
    public void becomeFault() {
        add("fault");
    }

    @Override
    public void stopped() {
        add("stopped");
    }
}
