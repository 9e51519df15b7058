package dev.berth.agent.containers;

/** An operation the agent refuses or could not do; {@code status} and {@code code} go to the API client. */
public class ContainerException extends RuntimeException {
    private final int status;
    private final String code;

    public ContainerException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public ContainerException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    static ContainerException notFound(String id) {
        return new ContainerException(404, "CONTAINER_NOT_FOUND", "no container " + id);
    }

    static ContainerException wrongState(ContainerStatus status, String operation) {
        String code = switch (status.state()) {
            case CREATING -> "CONTAINER_CREATING";
            case CREATED, RUNNING -> "CONTAINER_RUNNING";
            case STOPPED -> "CONTAINER_NOT_RUNNING";
        };
        return new ContainerException(409, code,
                "cannot " + operation + " container " + status.id() + ": it is " + status.state().json());
    }
}
