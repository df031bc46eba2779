/** Names and reference lists the synthetic world is built from. */
import type { CertKind, ComponentKind, DeviceEntity, StandardEntity } from './world';

export const NAME_STEMS = ['Aster', 'Boreal', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Granite', 'Helix', 'Indigo', 'Juniper', 'Krypton', 'Lumen', 'Meridian', 'Nimbus', 'Onyx', 'Polar', 'Quartz', 'Raven', 'Sable', 'Tundra', 'Umbra', 'Vertex', 'Willow', 'Xenon', 'Yarrow', 'Zephyr'];
export const VENDOR_SUFFIXES = ['Mobile', 'Devices', 'Systems', 'Electronics', 'Telecom'];
export const SUPPLIER_SUFFIXES = ['Semiconductor', 'Microsystems', 'Components', 'Software', 'Labs', 'Silicon', 'Optics', 'Power'];
export const OPERATOR_NAMES = ['Ministry of Defence', 'Coast Guard', 'Health Service', 'Border Agency', 'Police Service', 'Tax Authority', 'Foreign Office', 'Civil Protection', 'Energy Regulator', 'Rail Operator', 'Port Authority', 'Water Board'];
export const REGIONS = ['Northern', 'Southern', 'Eastern', 'Western', 'Central', 'Coastal', 'Highland', 'Metropolitan'];
export const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'SE', 'FI', 'JP', 'KR', 'TW', 'CN', 'IN', 'CA', 'AU', 'IT', 'ES', 'PL', 'NO', 'DK', 'BE'];
export const LIBRARY_STEMS = [
  'zlib', 'libpng', 'openssl', 'boringssl', 'sqlite', 'curl', 'expat', 'libxml2', 'protobuf', 'freetype', 'harfbuzz', 'icu', 'libwebp', 'ffmpeg', 'okhttp',
  'bouncycastle', 'mbedtls', 'wolfssl', 'libjpeg-turbo', 'skia', 'webrtc', 'v8', 'jsoncpp', 'tinyxml2', 'lz4', 'zstd', 'brotli', 'nghttp2', 'c-ares', 'libusb',
  'bluez', 'wpa_supplicant', 'dnsmasq', 'busybox', 'toybox', 'libcap', 'libselinux', 'pcre2', 'glib', 'dbus', 'libopus', 'libvpx', 'libaom', 'dav1d', 'flac',
  'libogg', 'pdfium', 'libarchive', 'xz', 'bzip2',
];
export const LIBRARY_VARIANTS = ['ng', 'lite', 'mobile', 'compat', 'android', 'embedded', 'secure', 'fast'];
export const APP_STEMS = ['Secure Messenger', 'Mail Client', 'VPN Client', 'MDM Agent', 'Browser', 'Authenticator', 'Voice Client', 'Document Viewer', 'Maps', 'Camera', 'Keyboard', 'Wallet'];
export const HARDWARE_PARTS: [string, ComponentKind][] = [
  ['application processor', 'HARDWARE'], ['baseband modem', 'HARDWARE'], ['Wi-Fi/Bluetooth combo chip', 'HARDWARE'], ['NFC controller', 'HARDWARE'],
  ['power management IC', 'HARDWARE'], ['LPDDR5 memory', 'HARDWARE'], ['UFS storage', 'HARDWARE'], ['image sensor', 'HARDWARE'], ['GNSS receiver', 'HARDWARE'],
  ['audio codec', 'HARDWARE'], ['touch controller', 'HARDWARE'], ['fingerprint sensor', 'SECURITY_HARDWARE'], ['secure element', 'SECURITY_HARDWARE'],
  ['TPM', 'SECURITY_HARDWARE'], ['hardware security module', 'SECURITY_HARDWARE'],
];
export const DEVICE_PARTS = ['mainboard', 'display assembly', 'battery pack', 'camera module', 'enclosure', 'antenna module', 'charging port', 'speaker module', 'haptic motor', 'sensor hub board', 'SIM tray', 'thermal assembly'];
export const FIRMWARE_PARTS = ['bootloader', 'baseband firmware', 'TEE firmware', 'sensor hub firmware', 'secure element applet', 'Wi-Fi firmware'];
export const SERIES: [string, DeviceEntity['category']][] = [
  ['Nova', 'PHONE'], ['Edge', 'PHONE'], ['Core', 'PHONE'], ['Rugged', 'PHONE'], ['Secure', 'PHONE'], ['Flex', 'PHONE'], ['Tab', 'TABLET'], ['Slate', 'TABLET'], ['Watch', 'WEARABLE'], ['Book', 'LAPTOP'],
];
export const DEVICE_VARIANTS = ['', ' Pro', ' Max', ' Lite', ' Plus', ' Mini', ' Ultra', ' Go'];
export const WEAKNESSES = ['buffer overflow', 'use-after-free', 'integer overflow', 'improper certificate validation', 'out-of-bounds read', 'race condition', 'privilege escalation', 'information disclosure', 'heap corruption', 'authentication bypass'];
export const ENVIRONMENTS = ['field', 'office', 'classified enclave', 'bring your own device', 'kiosk', 'vehicle-mounted'];
export const STANDARDS: Omit<StandardEntity, 'id'>[] = [
  { name: 'Protection Profile for Mobile Device Fundamentals', publisher: 'NIAP', version: '3.3' },
  { name: 'FIPS 140-3 Security Requirements for Cryptographic Modules', publisher: 'NIST', version: '140-3' },
  { name: 'Common Criteria for Information Technology Security Evaluation', publisher: 'CCRA', version: 'CC:2022 R1' },
  { name: 'NIST SP 800-53 Security and Privacy Controls', publisher: 'NIST', version: 'Rev. 5' },
  { name: 'ETSI EN 303 645 Cyber Security for Consumer IoT', publisher: 'ETSI', version: '2.1.1' },
  { name: 'Network Equipment Security Assurance Scheme', publisher: 'GSMA', version: '2.0' },
  { name: 'European Common Criteria-based cybersecurity certification scheme', publisher: 'ENISA', version: '1.0' },
  { name: 'PP-Module for Bluetooth', publisher: 'NIAP', version: '1.0' },
  { name: 'PP-Module for VPN Client', publisher: 'NIAP', version: '2.4' },
  { name: 'Mobile Device Management Protection Profile', publisher: 'NIAP', version: '4.0' },
];
export const CERT_KIND_ORDER: CertKind[] = ['CERTIFICATE', 'EVALUATION', 'APPROVAL', 'CLEARANCE'];
