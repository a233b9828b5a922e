// Thrown by the sandbox's programmatic API; fastify turns statusCode into the control API's status.
export class SandboxError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "SandboxError";
    this.statusCode = statusCode;
  }
}
