#include "promptsales/ads/campaign_generator.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "promptsales/ads/campaign_validation.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales::ads {
namespace {

constexpr std::array<std::string_view, 16> kEsTopics = {
    "Rebajas de Verano", "Vuelta al Cole", "Black Friday", "Navidad Mágica", "Lanzamiento Café Orgánico",
    "Semana del Cliente", "Ofertas de Primavera", "Día de la Madre", "Campaña Fidelización", "Cyber Lunes",
    "Promoción Gimnasio", "Feria del Libro", "Temporada de Esquí", "Reyes Magos", "Aniversario Tienda",
    "Liquidación Otoño"};
constexpr std::array<std::string_view, 16> kEnTopics = {
    "Summer Sale", "Back to School", "Black Friday Deals", "Holiday Gift Guide", "Organic Coffee Launch",
    "Customer Week", "Spring Offers", "Mother's Day", "Loyalty Rewards", "Cyber Monday", "Gym Membership Push",
    "Book Fair", "Ski Season", "New Year Kickoff", "Store Anniversary", "Autumn Clearance"};
constexpr std::array<std::string_view, 8> kEsSuffixes = {"Edición Especial", "Redes Sociales", "Región Norte",
                                                         "Clientes VIP", "Jóvenes Adultos", "Costa Rica",
                                                         "México", "España"};
constexpr std::array<std::string_view, 8> kEnSuffixes = {"Special Edition", "Social Push", "West Coast",
                                                         "VIP Customers", "Young Adults", "Retargeting",
                                                         "Canada", "United States"};
constexpr std::array<std::string_view, 10> kEsSentences = {
    "Campaña multicanal para aumentar el reconocimiento de marca.",
    "Segmentada por intereses y edad, con presupuesto ajustado automáticamente.",
    "Contenido generado por IA y adaptado a cada plataforma.",
    "Objetivo: duplicar los leads cualificados del trimestre.",
    "Incluye anuncios en vídeo corto y publicaciones patrocinadas.",
    "Seguimiento automático de leads con bots de WhatsApp.",
    "Ofertas exclusivas para suscriptores del boletín.",
    "Optimización diaria según el coste por adquisición.",
    "Pruebas A/B de titulares e imágenes.",
    "Dirigida a pequeñas empresas de la región."};
constexpr std::array<std::string_view, 10> kEnSentences = {
    "Multichannel campaign to grow brand awareness.",
    "Targeted by interests and age, with an automatically tuned budget.",
    "AI-generated content adapted to each platform.",
    "Goal: double qualified leads this quarter.",
    "Includes short-form video ads and sponsored posts.",
    "Automatic lead follow-up through WhatsApp bots.",
    "Exclusive offers for newsletter subscribers.",
    "Daily optimization on cost per acquisition.",
    "A/B tests of headlines and images.",
    "Aimed at small businesses in the region."};
constexpr std::array<std::string_view, 5> kCurrencies = {"USD", "EUR", "MXN", "CRC", "COP"};

// Seeded data must not depend on today's date: it is spread over the two
// years before this fixed instant (2026-01-01T00:00:00Z).
constexpr long long kBaseEpoch = 1767225600;
constexpr long long kSpanSeconds = 2LL * 365 * 24 * 3600;


// Appends whole sentences while they fit in `max_chars` characters.
std::string compose(const std::array<std::string_view, 10>& sentences, std::size_t target, std::uint64_t pick) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const auto s = sentences[(pick + i * 7) % sentences.size()];
    const std::size_t len = validate::utf8_length(s).value_or(s.size());
    const std::size_t extra = out.empty() ? len : len + 1;
    if (chars + extra > target) break;
    if (!out.empty()) out.push_back(' ');
    out += s;
    chars += extra;
  }
  return out;
}

}  // namespace

std::uint64_t CampaignGenerator::next_u64() {
  // splitmix64: tiny, fast and good enough for demo data.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Campaign CampaignGenerator::next(std::int64_t id, std::int64_t organization_id) {
  Campaign c;
  c.id = id;
  c.organization_id = organization_id;
  const bool spanish = below(2) == 0;
  const auto topic = spanish ? kEsTopics[below(kEsTopics.size())] : kEnTopics[below(kEnTopics.size())];
  const auto suffix = spanish ? kEsSuffixes[below(kEsSuffixes.size())] : kEnSuffixes[below(kEnSuffixes.size())];
  const long long created = kBaseEpoch - static_cast<long long>(below(static_cast<std::uint64_t>(kSpanSeconds)));
  char year[24];
  std::snprintf(year, sizeof year, "%lld", 1970 + created / 31556952);
  std::string name = std::string(topic) + " " + year;
  if (below(3) != 0) name += " - " + std::string(suffix);
  if (validate::utf8_length(name).value_or(kMaxNameChars + 1) > kMaxNameChars) name = std::string(topic) + " " + year;
  c.name = name;
  const std::size_t target = 20 + below(kMaxDescriptionChars - 19);
  c.description = compose(spanish ? kEsSentences : kEnSentences, target, below(10));
  const auto roll = below(100);
  c.status = roll < 15 ? CampaignStatus::draft
             : roll < 25 ? CampaignStatus::scheduled
             : roll < 70 ? CampaignStatus::active
             : roll < 85 ? CampaignStatus::paused
                         : CampaignStatus::ended;
  c.enabled = below(10) != 0;
  c.deleted = below(100) < 3;
  c.budget = std::to_string(100 + below(50000)) + "." + (below(2) ? "00" : "50");
  c.currency = std::string(kCurrencies[below(kCurrencies.size())]);
  const auto& channels = known_channels();
  const std::size_t count = 1 + below(3);
  for (std::size_t i = 0; i < count; ++i) {
    std::string ch(channels[below(channels.size())]);
    bool dup = false;
    for (const auto& existing : c.channels) dup |= existing == ch;
    if (!dup) c.channels.push_back(std::move(ch));
  }
  const long long start = created + static_cast<long long>(below(30 * 24 * 3600));
  c.starts_at = format_iso8601_utc(start, 0);
  if (below(4) != 0) c.ends_at = format_iso8601_utc(start + 86400LL * static_cast<long long>(7 + below(90)), 0);
  const int millis = static_cast<int>(below(1000));
  c.created_at = format_iso8601_utc(created, millis);
  c.updated_at = c.created_at;
  c.checksum = content_checksum(c);
  return c;
}

}  // namespace promptsales::ads
