package dev.hybrid.platform.aml.internal;

import java.util.Optional;

/** A request Azure answered with an error, or could not be sent: the HTTP status (0 when unreachable) and code. */
public final class AzureException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    public AzureException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status, or 0 when no answer came (connection refused or reset, timeout). */
    public int status() {
        return status;
    }

    /** The error's {@code code} ({@code UserError}, {@code invalid_client}, ...), when the body had one. */
    public Optional<String> code() {
        return code.isEmpty() ? Optional.empty() : Optional.of(code);
    }

    /** Whether the service could not be reached or kept failing (rather than refusing the request). */
    public boolean isUnreachable() {
        return status == 0 || status == 408 || status == 429 || status >= 500;
    }
}
