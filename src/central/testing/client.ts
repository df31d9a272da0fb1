/** A small HTTP client for the central service (tests and benchmarks). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export class CentralClient {
  constructor(
    public baseUrl: string,
    public token: string | null,
  ) {}

  withToken(token: string | null): CentralClient {
    return new CentralClient(this.baseUrl, token);
  }

  async request<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: keep the text, so a test can show what came back.
    }
    return { status: response.status, body: parsed as T };
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown): Promise<Answer<T>> {
    return this.request<T>('POST', path, body);
  }
}
