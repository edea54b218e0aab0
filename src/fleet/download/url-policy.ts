import { isIP } from 'node:net';
import { MyoError } from '../../core/errors.js';

/** Loopback only by address or the name `localhost`: a DNS name could point anywhere. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * Parses a package base URL and refuses anything but https; plain http only to a loopback address and only when
 * the configuration allows it (tests, a package server on the operator's own machine).
 */
export function checkPackageUrl(baseUrl: string, allowHttpLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new MyoError('MYO_ERR_DOWNLOAD_INSECURE_URL', `not a URL: ${baseUrl}`, { url: baseUrl }, { cause: error });
  }
  if (url.username !== '' || url.password !== '') {
    throw new MyoError('MYO_ERR_DOWNLOAD_INSECURE_URL', 'package URLs carry no credentials', { url: url.origin });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(url.hostname)) return url;
  const why = url.protocol === 'http:' ? (allowHttpLoopback ? 'plain http is allowed only to loopback' : 'plain http is not allowed') : `${url.protocol} is not https`;
  throw new MyoError('MYO_ERR_DOWNLOAD_INSECURE_URL', `refusing ${url.origin}: ${why}`, { url: url.origin });
}

/** The URL of one file of the package folder (names are checked before they get here). */
export function fileUrl(base: URL, name: string): URL {
  const folder = base.href.endsWith('/') ? base.href : `${base.href}/`;
  return new URL(encodeURIComponent(name), folder);
}
