// X's error bodies. v2 answers with RFC 7807-style problems, 1.1 with {errors:[{code,message}]}.
import { STATUS_CODES } from "node:http";

export interface XProblem {
  title: string;
  type: string;
  status?: number;
  detail: string;
  errors?: Array<{ message: string; parameters?: Record<string, string[]> }>;
}

/** The generic problem X uses for 401/403/429/5xx: title and detail are the status text. */
export function statusProblem(status: number): XProblem {
  const text = STATUS_CODES[status] ?? "Error";
  return { title: text, detail: text, type: "about:blank", status };
}

export function invalidRequest(message: string, parameters: Record<string, string[]> = {}): XProblem {
  return {
    errors: [{ parameters, message }],
    title: "Invalid Request",
    detail: "One or more parameters to your request was invalid.",
    type: "https://api.twitter.com/2/problems/invalid-request",
  };
}

export function resourceNotFound(detail: string): XProblem {
  return { title: "Not Found Error", detail, type: "https://api.twitter.com/2/problems/resource-not-found" };
}

export function v1Errors(code: number, message: string): { errors: Array<{ code: number; message: string }> } {
  return { errors: [{ code, message }] };
}
