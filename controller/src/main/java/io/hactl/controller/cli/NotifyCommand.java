package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hactl.controller.role.Role;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/**
 * {@code hactl notify}: hands a keepalived state change to the daemon and returns at once.
 * Accepts keepalived's generic notify arguments ({@code INSTANCE|GROUP NAME STATE PRIORITY}) and
 * the single-state form of notify_master / notify_backup / notify_fault ({@code hactl notify master}).
 */
@Command(name = "notify", description = "Hand a keepalived state change to the daemon (notify script use); returns at once.")
public final class NotifyCommand extends ClientCommand {
    @Parameters(arity = "1..4", paramLabel = "ARG",
            description = "STATE (master|backup|fault|stop), or keepalived's INSTANCE|GROUP NAME STATE PRIORITY.")
    List<String> args;

    @Override
    Duration timeout() {
        return Duration.ofSeconds(Math.min(options.timeoutSeconds, 2)); // never hold keepalived up
    }

    @Override
    ObjectNode request() {
        String state;
        String source;
        if (args.size() == 1) {
            state = args.get(0);
            source = "keepalived notify";
        } else if (args.size() == 4 || args.size() == 3) {
            String kind = args.get(0).toUpperCase(java.util.Locale.ROOT);
            if (!kind.equals("INSTANCE") && !kind.equals("GROUP")) {
                throw new ParameterException(spec.commandLine(), "first of four arguments must be INSTANCE or GROUP, not '"
                        + args.get(0) + "'");
            }
            state = args.get(2);
            source = "keepalived " + kind.toLowerCase(java.util.Locale.ROOT) + " " + args.get(1);
        } else {
            throw new ParameterException(spec.commandLine(), "give STATE, or INSTANCE|GROUP NAME STATE PRIORITY");
        }
        try {
            Role.parse(state);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ObjectNode r = cmd("notify");
        r.put("state", state);
        r.put("source", source);
        return r;
    }

    @Override
    int render(JsonNode result, PrintWriter out) {
        out.printf("%s %s (role now %s)%n", result.path("state").asText(),
                result.path("queued").asBoolean() ? "queued" : "already reached or queued", result.path("role").asText());
        return ExitCodes.OK;
    }
}
