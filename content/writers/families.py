"""Broad idea families the three books cover, and mapping a textbook section onto one.

A section is mapped by two signals: keyword hits (title counts most, then key terms, then the
passages) and the embedding similarity of the section (title + key terms) to each family's
description, using the embedding provider already loaded for retrieval. Keywords decide when they
are clear; the embeddings break ties and cover sections whose words the lists do not know.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from vividly.providers import registry


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    description: str  # what the embedding of a section is compared with
    keywords: tuple[str, ...]  # regex fragments matched at word starts


FAMILIES: dict[str, Family] = {f.id: f for f in [
    Family("forces_motion", "forces and motion",
           "forces, pushes and pulls, Newton's laws of motion, inertia, speed, velocity, acceleration, momentum, "
           "impulse, collisions, gravity, weight, friction, projectiles, circular motion, orbits, torque",
           ("force", "newton", "inertia", "velocit", "acceleration", "momentum", "impulse", "collision",
            "friction", "projectile", "displacement", "kinematic", "gravitation", "orbit", "kepler", "torque",
            "centripetal", "motion", "vector", "speed", "inclined plane", "rotation")),
    Family("energy_work", "energy and work",
           "work, kinetic energy, potential energy, conservation of mechanical energy, power, simple machines, "
           "levers, pulleys, efficiency, mechanical advantage",
           ("work", "kinetic energy", "potential energy", "mechanical energy", "power", "simple machine",
            "lever", "pulley", "mechanical advantage", "efficiency", "conservation of energy", "joule")),
    Family("waves_sound", "waves and sound",
           "waves, wavelength, frequency, amplitude, period, sound, pitch, loudness, decibels, echoes, resonance, "
           "interference, the Doppler effect, vibration, oscillation, simple harmonic motion",
           ("wave", "wavelength", "frequenc", "amplitude", "sound", "pitch", "decibel", "resonan", "doppler",
            "vibrat", "oscillat", "harmonic", "superposition", "echo", "hearing")),
    Family("light_optics", "light",
           "light, the electromagnetic spectrum, reflection, refraction, mirrors, lenses, images, color, "
           "diffraction, photons, the photoelectric effect, lasers",
           ("light", "electromagnetic", "reflect", "refract", "mirror", "lens", "optic", "diffraction",
            "photon", "photoelectric", "spectrum", "color", "ultraviolet", "infrared", "laser", "focal")),
    Family("electricity_magnetism", "electricity and magnetism",
           "electric charge, static electricity, electric fields, electric potential and voltage, current, "
           "resistance, Ohm's law, series and parallel circuits, electric power, capacitors, magnets, magnetic "
           "fields, motors, generators, transformers, electromagnetic induction",
           ("electric", "charge", "coulomb", "voltage", "current", "resist", "ohm", "circuit", "capacitor",
            "magnet", "induction", "generator", "transformer", "motor", "conductor", "insulator")),
    Family("heat_thermo", "heat and temperature",
           "temperature, heat, thermal energy, specific heat, conduction, convection, radiation, phase changes, "
           "melting, boiling, latent heat, thermodynamics, entropy, heat engines, refrigerators",
           ("heat", "temperature", "thermal", "specific heat", "conduction", "convection", "latent",
            "thermodynamic", "entropy", "heat engine", "refrigerator", "melting", "boiling", "calorimet")),
    Family("atoms_nuclear", "atoms and the nucleus",
           "atoms, protons, neutrons, electrons, atomic structure, atomic theory, isotopes, electron "
           "configurations, orbitals, quantum theory, the periodic table, radioactivity, half-life, nuclear "
           "fission and fusion, radiation",
           ("atom", "proton", "neutron", "electron", "isotope", "nucle", "radioactiv", "half-life", "fission",
            "fusion", "orbital", "quantum", "periodic table", "bohr", "radiation", "decay")),
    Family("matter_bonding", "matter and bonding",
           "matter, states of matter, physical and chemical properties, elements, compounds and mixtures, "
           "ionic and covalent bonds, molecules, Lewis structures, molecular shape, polarity, intermolecular "
           "forces, liquids and solids, crystals",
           ("matter", "element", "compound", "mixture", "bond", "ionic", "covalent", "molecul", "lewis",
            "polar", "intermolecular", "hydrogen bond", "solid", "liquid", "crystal", "lattice", "phase",
            "metal", "nonmetal", "chemical formula", "nomenclature")),
    Family("reactions", "chemical reactions",
           "chemical reactions, chemical equations, balancing equations, stoichiometry, moles, reaction yields, "
           "reaction rates, catalysts, chemical equilibrium, enthalpy, exothermic and endothermic reactions, "
           "combustion, oxidation and reduction, batteries, corrosion, electrochemistry",
           ("reaction", "equation", "stoichiometr", "mole", "yield", "rate", "catalys", "equilibri",
            "enthalpy", "exothermic", "endothermic", "combustion", "oxidation", "reduction", "redox",
            "galvanic", "batter", "corrosion", "electroly", "electrode", "electrochem", "free energy", "spontane",
            "le ch")),
    Family("acids_bases", "acids and bases",
           "acids, bases, pH and pOH, hydronium and hydroxide ions, neutralization, buffers, titration, "
           "proton donors and acceptors, strong and weak acids",
           ("acid", "base", "ph", "poh", "hydronium", "hydroxide", "neutraliz", "buffer", "titrat",
            "brønsted", "bronsted", "alkaline")),
    Family("solutions", "solutions and mixtures",
           "solutions, dissolving, solutes and solvents, concentration, molarity, dilution, solubility, "
           "electrolytes, colligative properties like freezing point depression, colloids",
           ("solution", "dissol", "solute", "solvent", "concentration", "molarity", "dilut", "solubil",
            "electrolyte", "colligative", "colloid", "freezing point", "saturated")),
    Family("gases", "gases",
           "gases, gas pressure, atmospheric pressure, volume and temperature of gases, the ideal gas law, "
           "Boyle's law, Charles's law, the kinetic-molecular theory, diffusion and effusion",
           ("gas", "pressure", "ideal gas", "boyle", "charles", "avogadro", "kinetic-molecular",
            "kinetic molecular", "effusion", "diffusion", "atmospher", "partial pressure")),
    Family("cells", "cells",
           "cells, the cell membrane, organelles, the nucleus, prokaryotic and eukaryotic cells, passive and "
           "active transport, osmosis, diffusion across membranes, cell signaling, the cytoskeleton",
           ("cell", "membrane", "organelle", "prokaryot", "eukaryot", "osmosis", "transport", "cytoskelet",
            "mitochondri", "chloroplast", "ribosome", "endoplasmic", "golgi", "vesicle", "signal", "receptor")),
    Family("cell_energy", "energy in living things",
           "metabolism, ATP, enzymes, cellular respiration, glycolysis, the citric acid cycle, fermentation, "
           "photosynthesis, chlorophyll, how living things capture and use energy",
           ("metabol", "atp", "enzyme", "respiration", "glycolysis", "citric acid", "krebs", "fermentation",
            "photosynth", "chlorophyll", "calvin", "electron transport", "activation energy")),
    Family("genetics", "genes and inheritance",
           "DNA, genes, chromosomes, inheritance, dominant and recessive traits, Mendel, alleles, mitosis, "
           "meiosis, the cell cycle, DNA replication, transcription, translation, protein synthesis, mutations, "
           "gene expression, biotechnology and genomes",
           ("dna", "rna", "gene", "chromosom", "inherit", "allele", "dominant", "recessive", "mendel",
            "mitosis", "meiosis", "cell cycle", "replication", "transcription", "translation", "mutation",
            "genom", "heredit", "trait", "codon", "biotechnolog")),
    Family("evolution", "evolution and the diversity of life",
           "evolution, natural selection, adaptation, speciation, common ancestry, phylogenetic trees, "
           "classification, the diversity of life: bacteria, archaea, viruses, protists, fungi, plants and "
           "animal groups",
           ("evolution", "natural selection", "adaptation", "speciation", "species", "phylogen", "ancest",
            "darwin", "fossil", "classif", "taxonom", "bacteria", "archaea", "virus", "protist", "fung",
            "animal", "vertebrate", "invertebrate", "mammal", "reptile", "amphibian", "phylum")),
    Family("body_systems", "the body's systems",
           "the human and animal body: nervous system, neurons, the brain, senses, hormones, muscles, bones, "
           "digestion, breathing and gas exchange, circulation, the heart and blood, kidneys, the immune "
           "system, reproduction and development, homeostasis",
           ("nerv", "neuron", "brain", "sens", "hormone", "endocrine", "muscle", "skelet", "bone", "digest",
            "respiratory", "breathing", "lung", "circulat", "heart", "blood", "kidney", "immun", "antibod",
            "reproduct", "homeostasis", "pregnan", "embryo", "hearing", "vision", "osmoregul", "excret")),
    Family("plants", "plants",
           "plants, roots, stems, leaves, water transport in plants, plant nutrition and soil, plant hormones "
           "and responses, flowers, pollination, seeds and plant reproduction",
           ("plant", "root", "stem", "leaf", "leaves", "xylem", "phloem", "soil", "pollinat", "flower",
            "seed", "angiosperm", "gymnosperm", "transpiration", "bryophyte")),
    Family("ecology", "ecology and the environment",
           "ecology, ecosystems, food chains and food webs, energy flow, trophic levels, populations, carrying "
           "capacity, communities, biomes, biogeochemical cycles like the carbon and nitrogen cycles, climate "
           "change, biodiversity and conservation",
           ("ecolog", "ecosystem", "food web", "food chain", "trophic", "population", "carrying capacity",
            "communit", "biome", "biogeochemical", "carbon cycle", "nitrogen cycle", "climate",
            "biodiversity", "conservation", "predator", "habitat")),
    Family("measurement", "measurement and the methods of science",
           "the nature of science, scientific methods, hypotheses, experiments, models and theories, physical "
           "quantities, units, SI units, unit conversion, significant figures, accuracy and precision",
           ("measure", "unit", "scientific method", "hypothes", "experiment", "significant figure",
            "accuracy", "precision", "uncertaint", "conversion", "dimensional analysis", "si unit")),
]}

#: The families a book's sections belong to first. Words shared across the sciences ("cell" in
#: galvanic cell, "force" in intermolecular forces, "light" in photosynthesis, "acid" in fatty acid)
#: must not carry a section into another science's family: a galvanic cell is a reaction, not a cell.
SUBJECT_FAMILIES = {
    "physics": {"forces_motion", "energy_work", "waves_sound", "light_optics", "electricity_magnetism",
                "heat_thermo", "atoms_nuclear", "measurement"},
    "chemistry": {"atoms_nuclear", "matter_bonding", "reactions", "acids_bases", "solutions", "gases",
                  "heat_thermo", "measurement"},
    "biology": {"cells", "cell_energy", "genetics", "evolution", "body_systems", "plants", "ecology",
                "matter_bonding", "measurement"},
}
SUBJECT_BONUS = 0.6

_KEYWORD_PATTERNS = {
    fid: re.compile(r"\b(" + "|".join(re.escape(k) for k in fam.keywords) + r")", re.I)
    for fid, fam in FAMILIES.items()
}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _family_vectors(provider_name: str) -> dict[str, list[float]]:
    provider = registry.get("embeddings")
    ids = list(FAMILIES)
    texts = [f"{FAMILIES[i].label}: {FAMILIES[i].description}" for i in ids]
    return dict(zip(ids, provider.embed_documents(texts).vectors, strict=True))


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def keyword_scores(title: str, key_terms: list[str], body: str) -> dict[str, float]:
    """Keyword evidence per family: a title hit counts 3, each distinct keyword in the key terms 1.5, a body
    hit 0.1 (capped). Distinct, because one broad keyword repeated ("plasma cell", "memory cell", "T cells"
    in Adaptive Immune Response) is not more evidence than the title's "immune"."""
    terms = " ; ".join(key_terms)
    scores: dict[str, float] = {}
    for fid, pattern in _KEYWORD_PATTERNS.items():
        distinct = {hit.lower() for hit in pattern.findall(terms)}
        score = 3.0 * len(pattern.findall(title)) + 1.5 * len(distinct)
        score += min(3.0, 0.1 * len(pattern.findall(body)))
        if score:
            scores[fid] = score
    return scores


#: How much the student's question counts beside the section: a section teaches several ideas (Water:
#: hydrogen bonds, and why water heats slowly), the scenario should picture the one asked about. At 1.0
#: to 2.0 one dev lesson of 53 changes ("why does the sand get hot while the ocean stays cool?": matter
#: and bonding → heat); none that already fitted.
QUESTION_WEIGHT = 1.0


def family_for(title: str, key_terms: list[str] | None = None, body: str = "", *,
               section_vector: list[float] | None = None, subject: str = "", question: str = "") -> str:
    """The family id that fits a section best (keywords normalised + embedding similarity, and
    SUBJECT_BONUS for the families of the section's own science when `subject` is given); with the
    student's `question`, its similarity to each family counts too (QUESTION_WEIGHT)."""
    key_terms = key_terms or []
    keywords = keyword_scores(title, key_terms, body)
    top = max(keywords.values(), default=0.0)
    try:
        provider = registry.get("embeddings")
        with _lock:
            vectors = _family_vectors(provider.name)
        if section_vector is None:
            section_vector = provider.embed_query(f"{title}. {', '.join(key_terms[:12])}")
        similarity = {fid: cosine(section_vector, vector) for fid, vector in vectors.items()}
        if question:
            asked = provider.embed_query(question)
            for fid, vector in vectors.items():
                similarity[fid] += QUESTION_WEIGHT * cosine(asked, vector)
    except Exception:  # noqa: BLE001 - no embeddings available: keywords alone still decide
        similarity = {}
    own = SUBJECT_FAMILIES.get(subject, set())
    combined = {fid: (keywords.get(fid, 0.0) / top if top else 0.0) + 2.0 * similarity.get(fid, 0.0)
                + (SUBJECT_BONUS if fid in own else 0.0) for fid in FAMILIES}
    return max(combined, key=combined.get)
