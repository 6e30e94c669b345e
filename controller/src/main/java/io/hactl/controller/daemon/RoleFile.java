package io.hactl.controller.daemon;

import io.hactl.controller.role.Role;
import io.hactl.sync.engine.Standing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last role keepalived gave this node, kept in the runtime directory (next to the control
 * socket) so that a restarted daemon knows, before keepalived says anything, whether the marked
 * flows in its kernel are its traffic (it was MASTER) or the peer's. /run goes with a reboot, as
 * does the conntrack table it describes.
 */
final class RoleFile {
    private static final Logger LOG = LoggerFactory.getLogger(RoleFile.class);
    static final String NAME = "last-role";

    private final Path path;

    RoleFile(Path runtimeDir) {
        this.path = runtimeDir.resolve(NAME);
    }

    Path path() {
        return path;
    }

    /** The role written before, if any and readable. */
    Optional<Role> read() {
        try {
            if (!Files.exists(path)) {
                return Optional.empty();
            }
            return Optional.of(Role.valueOf(Files.readString(path, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the last role from {}: {}; taking it as unknown", path, e.getMessage());
            return Optional.empty();
        }
    }

    /** Replaces the file at once (a daemon killed meanwhile leaves the old or the new, never half). */
    void write(Role role) throws IOException {
        Path tmp = path.resolveSibling(NAME + ".tmp");
        Files.writeString(tmp, role.name() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whose the marked flows are at start: the node's own only if it was MASTER before. */
    static Standing atStart(Optional<Role> last) {
        return last.filter(r -> r == Role.MASTER).isPresent() ? Standing.UNKNOWN_WAS_ACTIVE : Standing.UNKNOWN;
    }

    /** Whose the marked flows are in {@code role}. */
    static Standing of(Role role) {
        return switch (role) {
            case MASTER -> Standing.ACTIVE;
            case BACKUP, FAULT -> Standing.STANDBY;
            case INIT, STOP -> Standing.UNKNOWN;
        };
    }
}
