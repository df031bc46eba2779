import { Prng } from '../prng';
import type { Sources } from '../sources';
import { validateOptions, type GeneratorOptions, type World } from '../world';
import { planCertifications } from './certifications';
import { ComponentCatalog, planFamilies, planSharedHardware } from './components';
import { planDeployments } from './deployments';
import { planDevices } from './devices';
import { planOrganizations } from './organizations';
import { planStandards } from './standards';
import { planVulnerabilities } from './vulnerabilities';

/**
 * Decides every entity and the structure between them. Deterministic for (sources, scale, seed):
 * each planner draws from its own stream (seed + planner name), in the order below, which later
 * planners depend on (devices pick from the families, certifications from the devices, ...).
 */
export function planWorld(sources: Sources, opts: GeneratorOptions): World {
  validateOptions(opts);
  const { scale, seed } = opts;
  const stream = (name: string): Prng => new Prng(`${seed}:${name}`);

  const organizations = planOrganizations(stream('organizations'), scale);
  const standards = planStandards();
  const catalog = new ComponentCatalog();
  const chains = planFamilies(stream('chains'), scale, organizations, catalog);
  const sharedHardware = planSharedHardware(stream('hardware'), scale, organizations, catalog);
  const { devices, devicesOfVendor } = planDevices(stream('devices'), scale, { ...organizations, ...chains }, sharedHardware, catalog);
  const planned = { ...organizations, ...chains, standards, components: catalog.components, families: catalog.families, devices, devicesOfVendor };
  const vulnerabilities = planVulnerabilities(stream('vulnerabilities'), scale, planned);
  const certifications = planCertifications(stream('certifications'), scale, planned);
  const deployments = planDeployments(stream('deployments'), scale, planned);

  return {
    scale,
    seed,
    orgs: organizations.orgs,
    vendors: organizations.vendors,
    suppliers: organizations.suppliers,
    operators: organizations.operators,
    bodies: organizations.bodies,
    labs: organizations.labs,
    standards,
    controls: sources.controls,
    techniques: sources.techniques,
    components: catalog.components,
    families: catalog.families,
    osFamilyOfVendor: chains.osFamilyOfVendor,
    libraryFamilies: chains.libraryFamilies,
    applicationFamilies: chains.applicationFamilies,
    cryptoFamilies: chains.cryptoFamilies,
    devices,
    devicesOfVendor,
    vulnerabilities,
    certifications,
    deployments,
  };
}
