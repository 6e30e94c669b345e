package io.hactl.controller.config;

import java.util.List;

/** Every problem found in a configuration file, reported together. */
public class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(String file, List<ConfigError> errors) {
        super(format(file, errors));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(String file, List<ConfigError> errors) {
        StringBuilder sb = new StringBuilder(file).append(": ").append(errors.size())
                .append(errors.size() == 1 ? " error" : " errors");
        for (ConfigError e : errors) {
            sb.append("\n  ").append(e);
        }
        return sb.toString();
    }
}
