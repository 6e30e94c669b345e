package io.hactl.sync.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether an interface can carry traffic, from its operational state in sysfs. */
public interface LinkState {
    boolean isUp(String interfaceName);

    /** Reads /sys/class/net/IF/operstate: "up" (or "unknown", as loopback reports) is usable. */
    LinkState SYSFS = name -> {
        try {
            String s = Files.readString(Path.of("/sys/class/net", name, "operstate")).strip();
            return s.equals("up") || s.equals("unknown");
        } catch (IOException e) {
            return false; // interface gone
        }
    };
}
