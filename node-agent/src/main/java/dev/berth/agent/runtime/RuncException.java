package dev.berth.agent.runtime;

/** runc or conmon refused or failed; the message carries runc's own error text. */
public class RuncException extends Exception {
    public RuncException(String message) {
        super(message);
    }

    public RuncException(String message, Throwable cause) {
        super(message, cause);
    }
}
