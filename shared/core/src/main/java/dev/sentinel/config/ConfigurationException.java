package dev.sentinel.config;

/** The function's configuration is missing or wrong; the message lists every problem and how to fix it. */
public class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }
}
