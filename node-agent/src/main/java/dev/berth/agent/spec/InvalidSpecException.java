package dev.berth.agent.spec;

/** A container spec body that does not validate; the message names the field and the problem. */
public class InvalidSpecException extends IllegalArgumentException {
    public InvalidSpecException(String message) {
        super(message);
    }
}
